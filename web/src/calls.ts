// One-to-one audio/video calls (API.md "Calls"): the server owns the call's state and relays signalling; the
// browsers talk WebRTC. The caller sends the offer once the callee accepted (`call.accepted`).
//
// Reloads and reconnects (docs/calls.md, "Resuming a call"): a socket that connects while its user is in a call
// gets `call.state`. If this tab was in that call (kept in sessionStorage across a reload, or still in memory after
// a network blip) or the server says this device is the active one, it takes the call over with `call.resume`,
// makes a new RTCPeerConnection and, as the caller, a fresh offer; the other side gets `call.resumed`, drops its
// peer connection for a new one, and (as the caller) makes the fresh offer. Signalling work runs one step at a
// time (`serial`), so an offer that arrives while the new peer connection is being made waits for it.
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, errorText } from './api';
import { endReasons } from './errors';
import { realtime } from './realtime';
import { notify } from './store';
import type { IceServers } from './types';

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
  /** Which start of a call this is: an answer that comes back for an earlier one is not applied to this one. */
  attempt: number;
  /** Making a new peer connection for a call already under way (after a reload or a reconnect on either side). */
  reconnecting?: boolean;
}

/** What a tab remembers of its call across a reload (sessionStorage: per tab, gone with the tab). */
interface Remembered {
  callId: string;
  peerId: string;
  media: 'audio' | 'video';
  outgoing: boolean;
}

const storageKey = 'parley.call';

function remembered(): Remembered | null {
  try {
    return JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as Remembered | null;
  } catch {
    return null;
  }
}

function remember() {
  try {
    if (call?.callId && (call.phase === 'ringing' || call.phase === 'connecting' || call.phase === 'connected'))
      sessionStorage.setItem(storageKey, JSON.stringify({ callId: call.callId, peerId: call.peerId, media: call.media, outgoing: call.outgoing } satisfies Remembered));
    else sessionStorage.removeItem(storageKey);
  } catch {
    /* storage unavailable: a reload then simply forgets the call */
  }
}

let chain: Promise<void> = Promise.resolve();

/** Runs signalling steps one after another, in the order their events came. */
function serial(step: () => Promise<void>) {
  chain = chain.then(step).catch((e: unknown) => notify(errorText(e)));
}

let call: CallState | null = null;
let pc: RTCPeerConnection | null = null;
let remoteCandidates: RTCIceCandidateInit[] = [];
let endTimer: ReturnType<typeof setTimeout> | undefined;
let attempts = 0;
/** An incoming call that arrived while this device's own invite was out: shown if that invite ends (busy). */
let waiting: CallState | null = null;
const listeners = new Set<() => void>();

function set(patch: Partial<CallState> | null) {
  call = patch === null ? null : call ? { ...call, ...patch } : null;
  remember();
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
// The last call that ended stays readable after its "Call ended" notice has gone (2.5 s later): tests on a busy
// machine check how a call ended here instead of racing the notice.
let lastEnded: { callId?: string; reason?: string; text: string } | null = null;
(window as unknown as { parleyCall: () => unknown }).parleyCall = () => ({ state: call?.phase, callId: call?.callId, pc: pc?.connectionState, ice: pc?.iceConnectionState, lastEnded });

async function iceServers(): Promise<RTCIceServer[]> {
  try {
    const r = await api.get<IceServers>('/calls/ice-servers');
    return r.iceServers.map((s) => ({ urls: s.urls, username: s.username ?? undefined, credential: s.credential ?? undefined }));
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
  const attempt = ++attempts;
  const current = () => call?.attempt === attempt && call.phase !== 'ended';
  call = { peerId, media: kind, outgoing: true, phase: 'calling', micMuted: false, cameraOff: false, attempt };
  set({});
  try {
    const local = await media(kind);
    if (!current()) {
      // Hung up (or superseded by an incoming call) while the browser asked for the camera: no invite, and the
      // camera and microphone go off again.
      for (const t of local.getTracks()) t.stop();
      return;
    }
    set({ local });
    const ok = await realtime.request('call.invite', { to: { userId: peerId }, media: kind });
    const callId: string | undefined = ok.data?.callId;
    if (!current()) {
      // Hung up while the invite was on its way: cancel the call the server just started, or it rings on.
      if (callId) void realtime.request('call.hangup', { callId }).catch(() => undefined);
      return;
    }
    set({ callId, phase: call!.phase === 'calling' ? 'ringing' : call!.phase });
  } catch (e) {
    if (current()) finish(undefined, errorText(e));
  }
}

export async function acceptCall() {
  if (!call || call.phase !== 'incoming') return;
  const attempt = call.attempt;
  try {
    const local = await media(call.media);
    if (call?.attempt !== attempt || call.phase !== 'incoming') {
      // The call ended (cancelled, answered elsewhere) while the browser asked for the camera.
      for (const t of local.getTracks()) t.stop();
      return;
    }
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
  finish(call.phase === 'connected' || call.connectedAt ? 'hung_up' : 'cancelled');
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
  waiting = null;
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
    if (pc !== connection || !call) return;
    const state = connection.connectionState;
    if (state === 'connected' && (call.phase !== 'connected' || call.reconnecting))
      set({ phase: 'connected', connectedAt: call.connectedAt ?? Date.now(), reconnecting: false });
    // The other side's page went away (a reload, a lost network): say so until it comes back or the call drops.
    else if ((state === 'disconnected' || state === 'failed') && call.phase === 'connected') set({ reconnecting: true });
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

/** `call.state`: sent as the socket connects while this user is in a call. */
interface CallStateEvent {
  callId: string;
  peerId: string;
  media: 'audio' | 'video';
  role: 'caller' | 'callee';
  state: 'ringing' | 'connected';
  active: boolean;
  startedAt?: string;
}

function onCallState(d: CallStateEvent) {
  const live = call && call.phase !== 'ended' ? call : null;
  if (live && live.callId !== d.callId) return; // busy with another call here: leave that one alone
  const known = !!live || remembered()?.callId === d.callId;
  // Another device of mine holds the call (and this tab was never in it): nothing to do here.
  if (!known && !d.active) return;
  // A reconnect after a blip that the server already gave back to this device, with media still flowing: the peer
  // connection survived the signalling reconnect, so there is nothing to redo.
  if (live && d.active && d.state === 'connected' && live.phase === 'connected' && !live.reconnecting && pc?.connectionState === 'connected') return;
  const outgoing = d.role === 'caller';
  if (!live) {
    clearTimeout(endTimer);
    waiting = null;
    call = {
      callId: d.callId, peerId: d.peerId, media: d.media, outgoing, micMuted: false, cameraOff: false, attempt: ++attempts,
      phase: d.state === 'ringing' ? 'ringing' : 'connecting',
      connectedAt: d.startedAt ? Date.parse(d.startedAt) : undefined,
      reconnecting: d.state === 'connected',
    };
    set({});
  } else if (d.state === 'connected') {
    set({ phase: 'connecting', reconnecting: true, connectedAt: live.connectedAt ?? (d.startedAt ? Date.parse(d.startedAt) : undefined) });
  }
  const attempt = call!.attempt;
  const current = () => call?.attempt === attempt && call.phase !== 'ended';
  serial(async () => {
    if (!current()) return;
    let resumed = false;
    try {
      // Take the call over first: from now on this device may hang up, whatever happens with the camera.
      await realtime.request('call.resume', { callId: d.callId });
      resumed = true;
      if (!current()) return;
      let local = call!.local;
      if (!local || local.getTracks().every((t) => t.readyState === 'ended')) {
        local = await media(d.media);
        if (!current()) {
          for (const t of local.getTracks()) t.stop();
          return;
        }
        set({ local });
      }
      if (d.state === 'connected') await restart();
    } catch (e) {
      if (!current()) return;
      // No camera, say: this device holds the call now, so end it properly rather than leave the peer waiting.
      if (resumed) void realtime.request('call.hangup', { callId: d.callId }).catch(() => undefined);
      finish(undefined, errorText(e));
    }
  });
}

/** `call.resumed`: the other side took the call over on a new connection; start over with a new peer connection. */
async function onResumed(d: { callId: string }) {
  if (!call || call.callId !== d.callId || (call.phase !== 'connecting' && call.phase !== 'connected')) return;
  set({ reconnecting: true });
  await restart();
}

/** A new peer connection for a call under way; the caller makes the fresh offer, the callee waits for it. */
async function restart() {
  if (!call) return;
  await createPeer();
  if (!call.outgoing) return;
  const offer = await pc!.createOffer();
  await pc!.setLocalDescription(offer);
  try {
    await realtime.request('call.signal', { callId: call.callId, sdp: { type: offer.type, sdp: offer.sdp } });
  } catch (e) {
    // The callee's side has no device right now (it is reloading too): its call.resume brings a call.resumed
    // here, and the offer is made again then.
    if (!(e instanceof ApiError && e.code === 'call_not_connected')) throw e;
  }
}

function finish(reason?: string, error?: string) {
  pc?.close();
  pc = null;
  for (const t of call?.local?.getTracks() ?? []) t.stop();
  if (!call) return;
  lastEnded = { callId: call.callId, reason, text: endReasonText(reason) };
  set({ phase: 'ended', endReason: reason, error, local: undefined, remote: undefined });
  clearTimeout(endTimer);
  if (waiting && waiting.peerId) {
    // Our invite crossed an incoming call (busy): that call is still ringing here; show it.
    const next = waiting;
    waiting = null;
    call = next;
    set({});
    return;
  }
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
    const from = typeof d.from === 'string' ? d.from : (d.from.id ?? d.from.userId ?? '');
    const incoming: CallState = { callId: d.callId, peerId: from, media: d.media, outgoing: false, phase: 'incoming', micMuted: false, cameraOff: false, attempt: ++attempts };
    if (call && call.phase !== 'ended') {
      // The server only rings a user who is in no call. So an incoming call while this device's own invite is still
      // out (the two crossed, e.g. both friends pressed "call" at once) means that invite is, or will be, answered
      // busy: give it up and show the incoming call. Otherwise keep it until our own call ends.
      if (call.outgoing && !call.callId && call.phase === 'calling') {
        for (const t of call.local?.getTracks() ?? []) t.stop();
        clearTimeout(endTimer);
        call = incoming;
        set({});
      } else if (call.outgoing && (call.phase === 'calling' || call.phase === 'ringing')) {
        waiting = incoming;
      }
      return;
    }
    clearTimeout(endTimer);
    waiting = null;
    call = incoming;
    set({});
  });
  realtime.on('call.accepted', (d: { callId: string }) => serial(() => onAccepted(d)));
  realtime.on('call.signal', (d) => serial(() => onSignal(d)));
  realtime.on('call.state', (d: CallStateEvent) => onCallState(d));
  realtime.on('call.resumed', (d: { callId: string }) => serial(() => onResumed(d)));
  realtime.on('call.ended', (d: { callId: string; endReason: string }) => {
    if (waiting?.callId === d.callId) waiting = null;
    if (call && call.callId === d.callId && call.phase !== 'ended') finish(d.endReason);
  });
}
