// Notifications: Web Push while no page is open (the service worker in public/sw.js shows them), a system
// notification from the page while it is hidden, and an in-page notice while it is visible but the message's
// conversation is not the open one. Permission is asked only when the user turns notifications on.
import { api, ApiError } from './api';

export type PushStatus = 'unsupported' | 'off' | 'on' | 'denied';

const supported = () => 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;

let registration: Promise<ServiceWorkerRegistration | null> | null = null;

/** Registers the service worker (no permission prompt): it is what shows pushes when the page is closed. */
export function registerWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!supported()) return Promise.resolve(null);
  registration ??= navigator.serviceWorker.register('/sw.js').catch(() => null);
  return registration;
}

export async function pushStatus(): Promise<PushStatus> {
  if (!supported()) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await registerWorker();
  const subscription = await reg?.pushManager.getSubscription();
  return subscription && Notification.permission === 'granted' ? 'on' : 'off';
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64url.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (base64url.length % 4)) % 4));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Turns notifications on: asks permission (this must follow a click), subscribes, and tells the server. */
export async function enablePush(): Promise<PushStatus> {
  if (!supported()) return 'unsupported';
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return permission === 'denied' ? 'denied' : 'off';
  const reg = await registerWorker();
  if (!reg) throw new Error('The service worker could not be started.');
  await navigator.serviceWorker.ready;
  const { publicKey } = await api.request<{ publicKey: string }>('GET', '/push/web/vapid-public-key');
  let subscription = await reg.pushManager.getSubscription();
  subscription ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(publicKey) });
  const json = subscription.toJSON();
  await api.request('POST', '/push/subscriptions', { kind: 'web', endpoint: json.endpoint, keys: json.keys });
  return 'on';
}

/** Turns notifications off for this browser: unsubscribes and tells the server. Called before signing out. */
export async function disablePush(): Promise<void> {
  if (!supported()) return;
  const reg = await registerWorker();
  const subscription = await reg?.pushManager.getSubscription();
  if (!subscription) return;
  try {
    await api.request('DELETE', '/push/subscriptions', { endpoint: subscription.endpoint });
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
  } finally {
    await subscription.unsubscribe();
  }
}

/** A system notification from the page itself (it is open but hidden, so the server sends no push: the socket is up). */
export async function showFromPage(title: string, body: string, conversationId: string) {
  if (!supported() || Notification.permission !== 'granted') return;
  const reg = await registerWorker();
  await reg?.showNotification(title, { body, tag: 'c' + conversationId, data: { conversationId, type: 'message' }, icon: '/favicon.svg' });
}

/** A click on a notification while a page was open: the service worker asks the page to open the conversation. */
export function onOpenConversation(open: (conversationId: string) => void) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('message', (event: MessageEvent) => {
    if (event.data?.type === 'open-conversation' && typeof event.data.conversationId === 'string') open(event.data.conversationId);
  });
  const fromUrl = new URLSearchParams(location.search).get('conversation');
  if (fromUrl) {
    history.replaceState(null, '', location.pathname);
    open(fromUrl);
  }
}
