// One-to-one audio/video calls (API.md "Calls"): the server owns the call's state and relays signalling; the
// browsers talk WebRTC. The caller sends the offer once the callee accepted (`call.accepted`).
import { useEffect, useState } from 'preact/hooks';
import { api, errorText } from './api';
import { endReasons } from './errors';
import { realtime } from './realtime';
import { notify } from './store';

export type CallPhase = 'calling' | 'ringing' | 'incoming' | 'connecting' | 'connected' | 'ended';

export interface CallState {
  callId?: string;
  peerId: string;
  media: 'audio' | 'video';
  outgoing: boolean;
  phase: CallPhase;
  micMuted: boolean;
  cameraOff: boolean;
  local?: MediaStream;
  remote?: MediaStream;
  connectedAt?: number;
  endReason?: string;
  error?: string;
}

let call: CallState | null = null;
let pc: RTCPeerConnection | null = null;
let remoteCandidates: RTCIceCandidateInit[] = [];
let endTimer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

function set(patch: Partial<CallState> | null) {
  call = patch === null ? null : call ? { ...call, ...patch } : null;
  for (const l of listeners) l();
}

export function useCall(): CallState | null {
  const [, tick] = useState(0);
  useEffect(() => {
    const l = () => tick((n) => n + 1);
    listeners.add(l);
    return () => void listeners.delete(l);
  }, []);
  return call;
}

/** For tests and diagnostics: the live peer connection. */
(window as unknown as { parleyCall: () => unknown }).parleyCall = () => ({ state: call?.phase, pc: pc?.connectionState, ice: pc?.iceConnectionState });

async function iceServers(): Promise<RTCIceServer[]> {
  try {
    const r = await api.get<RTCIceServer[] | { iceServers: RTCIceServer[] }>('/calls/ice-servers');
    return Array.isArray(r) ? r : (r.iceServers ?? []);
  } catch {
    return [];
  }
}

async function media(kind: 'audio' | 'video'): Promise<MediaStream> {
  return navigator.mediaDevices.getUserMedia({ audio: true, video: kind === 'video' ? { width: 640, height: 480 } : false });
}

export async function startCall(peerId: string, kind: 'audio' | 'video') {
  if (call && call.phase !== 'ended') {
    notify('You are already in a call.');
    return;
  }
  clearTimeout(endTimer);
  call = { peerId, media: kind, outgoing: true, phase: 'calling', micMuted: false, cameraOff: false };
  set({});
  try {
    const local = await media(kind);
    set({ local });
    const ok = await realtime.request('call.invite', { to: { userId: peerId }, media: kind });
    if (!call) return;
    if (call.callId && call.callId !== ok.data?.callId) return;
    set({ callId: ok.data?.callId, phase: call.phase === 'calling' ? 'ringing' : call.phase });
  } catch (e) {
    finish(undefined, errorText(e));
  }
}

export async function acceptCall() {
  if (!call || call.phase !== 'incoming') return;
  try {
    const local = await media(call.media);
    set({ local, phase: 'connecting' });
    await createPeer();
    await realtime.request('call.accept', { callId: call.callId });
  } catch (e) {
    void realtime.request('call.reject', { callId: call?.callId }).catch(() => undefined);
    finish(undefined, errorText(e));
  }
}

export function rejectCall() {
  if (!call) return;
  void realtime.request('call.reject', { callId: call.callId }).catch(() => undefined);
  finish('rejected');
}

export function hangUp() {
  if (!call) return;
  if (call.callId) void realtime.request('call.hangup', { callId: call.callId }).catch(() => undefined);
  finish(call.phase === 'connected' ? 'hung_up' : 'cancelled');
}

export function toggleMic() {
  if (!call?.local) return;
  const muted = !call.micMuted;
  for (const t of call.local.getAudioTracks()) t.enabled = !muted;
  set({ micMuted: muted });
}

export function toggleCamera() {
  if (!call?.local) return;
  const off = !call.cameraOff;
  for (const t of call.local.getVideoTracks()) t.enabled = !off;
  set({ cameraOff: off });
}

export function dismissCall() {
  clearTimeout(endTimer);
  set(null);
}

async function createPeer() {
  pc?.close();
  remoteCandidates = [];
  const connection = new RTCPeerConnection({ iceServers: await iceServers() });
  pc = connection;
  const remote = new MediaStream();
  set({ remote });
  for (const track of call?.local?.getTracks() ?? []) connection.addTrack(track, call!.local!);
  connection.ontrack = (e) => {
    if (!remote.getTracks().includes(e.track)) remote.addTrack(e.track);
    set({ remote });
  };
  connection.onicecandidate = (e) => {
    if (e.candidate && call?.callId) void realtime.request('call.signal', { callId: call.callId, candidate: e.candidate.toJSON() }).catch(() => undefined);
  };
  connection.onconnectionstatechange = () => {
    if (pc !== connection) return;
    if (connection.connectionState === 'connected' && call && call.phase !== 'connected') set({ phase: 'connected', connectedAt: Date.now() });
  };
}

async function onSignal(d: { callId: string; sdp?: RTCSessionDescriptionInit | string; candidate?: RTCIceCandidateInit }) {
  if (!call || d.callId !== call.callId || !pc) return;
  try {
    if (d.sdp) {
      const desc: RTCSessionDescriptionInit = typeof d.sdp === 'string' ? (JSON.parse(d.sdp) as RTCSessionDescriptionInit) : d.sdp;
      await pc.setRemoteDescription(desc);
      for (const c of remoteCandidates) await pc.addIceCandidate(c).catch(() => undefined);
      remoteCandidates = [];
      if (desc.type === 'offer') {
        const answer = await pc.createAnswer();
        await pc.setLocalDescription(answer);
        await realtime.request('call.signal', { callId: call.callId, sdp: { type: answer.type, sdp: answer.sdp } });
      }
    } else if (d.candidate) {
      if (pc.remoteDescription) await pc.addIceCandidate(d.candidate).catch(() => undefined);
      else remoteCandidates.push(d.candidate);
    }
  } catch (e) {
    notify(errorText(e));
  }
}

async function onAccepted(d: { callId: string }) {
  if (!call || d.callId !== call.callId) return;
  if (!call.outgoing) {
    // Accepted on another of my devices: this one stops ringing.
    if (call.phase === 'incoming') set(null);
    return;
  }
  set({ phase: 'connecting' });
  try {
    await createPeer();
    const offer = await pc!.createOffer();
    await pc!.setLocalDescription(offer);
    await realtime.request('call.signal', { callId: call.callId, sdp: { type: offer.type, sdp: offer.sdp } });
  } catch (e) {
    hangUp();
    notify(errorText(e));
  }
}

function finish(reason?: string, error?: string) {
  pc?.close();
  pc = null;
  for (const t of call?.local?.getTracks() ?? []) t.stop();
  if (!call) return;
  set({ phase: 'ended', endReason: reason, error, local: undefined, remote: undefined });
  clearTimeout(endTimer);
  endTimer = setTimeout(() => call?.phase === 'ended' && set(null), 2500);
}

export function endReasonText(reason?: string) {
  return (reason && endReasons[reason]) || 'Call ended';
}

export function wireCalls() {
  realtime.on('call.ringing', (d: { callId: string; peerId: string; media: 'audio' | 'video' }) => {
    if (call?.outgoing && (!call.callId || call.callId === d.callId) && (call.phase === 'calling' || call.phase === 'ringing')) set({ callId: d.callId, phase: 'ringing' });
  });
  realtime.on('call.incoming', (d: { callId: string; from: string | { id?: string; userId?: string }; media: 'audio' | 'video' }) => {
    if (call && call.phase !== 'ended') return; // the server answers busy
    clearTimeout(endTimer);
    const from = typeof d.from === 'string' ? d.from : (d.from.id ?? d.from.userId ?? '');
    call = { callId: d.callId, peerId: from, media: d.media, outgoing: false, phase: 'incoming', micMuted: false, cameraOff: false };
    set({});
  });
  realtime.on('call.accepted', (d: { callId: string }) => void onAccepted(d));
  realtime.on('call.signal', (d) => void onSignal(d));
  realtime.on('call.ended', (d: { callId: string; endReason: string }) => {
    if (call && call.callId === d.callId && call.phase !== 'ended') finish(d.endReason);
  });
}
