import { useEffect, useRef, useState } from 'preact/hooks';
import { acceptCall, dismissCall, endReasonText, hangUp, rejectCall, toggleCamera, toggleMic, useCall } from '../calls';
import { displayName, useStore } from '../store';
import { duration } from '../util';
import { Avatar } from './Avatar';

export function CallView() {
  const call = useCall();
  useStore((s) => s.friends);
  const remoteRef = useRef<HTMLVideoElement>(null);
  const localRef = useRef<HTMLVideoElement>(null);
  const [, tick] = useState(0);

  useEffect(() => {
    if (remoteRef.current && call?.remote && remoteRef.current.srcObject !== call.remote) remoteRef.current.srcObject = call.remote;
    if (localRef.current && call?.local && localRef.current.srcObject !== call.local) localRef.current.srcObject = call.local;
  });

  useEffect(() => {
    if (call?.phase !== 'connected') return;
    const t = setInterval(() => tick((n) => n + 1), 1000);
    return () => clearInterval(t);
  }, [call?.phase]);

  if (!call) return null;
  const name = displayName(call.peerId);
  const video = call.media === 'video';
  const status =
    call.phase === 'calling' ? 'Calling…'
    : call.phase === 'ringing' ? 'Ringing…'
    : call.phase === 'incoming' ? `Incoming ${video ? 'video' : 'voice'} call`
    : call.reconnecting && (call.phase === 'connecting' || call.phase === 'connected') ? 'Reconnecting…'
    : call.phase === 'connecting' ? 'Connecting…'
    : call.phase === 'connected' ? duration(Date.now() - (call.connectedAt ?? Date.now()))
    : call.error ?? endReasonText(call.endReason);

  return (
    <div class={'call-overlay' + (video ? ' video' : '')} role="dialog" aria-modal="true" aria-label={`Call with ${name}`} data-testid="call" data-phase={call.phase}>
      {video && (call.phase === 'connecting' || call.phase === 'connected') ? (
        <div class="videos">
          <video ref={remoteRef} class="remote" autoPlay playsInline data-testid="remote-video" aria-label={`${name}'s video`} />
          <video ref={localRef} class="local" autoPlay playsInline muted data-testid="local-video" aria-label="Your video" />
        </div>
      ) : (
        <div class="call-person">
          <Avatar name={name} size={96} />
          {!video && <audio ref={remoteRef as never} autoPlay data-testid="remote-audio" />}
        </div>
      )}
      <div class="call-info">
        <h2>{name}</h2>
        <p role="status" aria-live="polite" data-testid="call-status">
          {status}
        </p>
      </div>
      <div class="call-controls">
        {call.phase === 'incoming' && (
          <>
            <button type="button" class="round accept" onClick={() => void acceptCall()} autoFocus>
              Accept
            </button>
            <button type="button" class="round hang" onClick={rejectCall}>
              Decline
            </button>
          </>
        )}
        {(call.phase === 'calling' || call.phase === 'ringing' || call.phase === 'connecting' || call.phase === 'connected') && (
          <>
            <button type="button" class="round" aria-pressed={call.micMuted} onClick={toggleMic}>
              {call.micMuted ? 'Unmute' : 'Mute'}
            </button>
            {video && (
              <button type="button" class="round" aria-pressed={call.cameraOff} onClick={toggleCamera}>
                {call.cameraOff ? 'Camera on' : 'Camera off'}
              </button>
            )}
            <button type="button" class="round hang" onClick={hangUp} autoFocus>
              Hang up
            </button>
          </>
        )}
        {call.phase === 'ended' && (
          <button type="button" class="round" onClick={dismissCall}>
            Close
          </button>
        )}
      </div>
    </div>
  );
}
