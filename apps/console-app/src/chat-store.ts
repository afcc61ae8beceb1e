import type { ChatMessage } from '@tiergate/web-api-client';

export interface Conversation {
  id: string;
  title: string;
  model: string;
  messages: ChatMessage[];
  updatedAt: string;
}

/**
 * Conversations are kept in this browser's storage, per user account: the platform stores no
 * prompt or answer text (the relay keeps metadata only).
 */
export function loadConversations(userId: string, storage: Storage = localStorage): Conversation[] {
  try {
    return JSON.parse(storage.getItem(`tg.chat.history.${userId}`) ?? '[]') as Conversation[];
  } catch {
    return [];
  }
}

export function saveConversations(userId: string, conversations: Conversation[], storage: Storage = localStorage): void {
  storage.setItem(`tg.chat.history.${userId}`, JSON.stringify(conversations.slice(0, 100)));
}

export interface ChatKey {
  id: string;
  key: string;
}

/** The key the chat page minted for this user in this browser (a normal, revocable API key). */
export function loadChatKey(userId: string, storage: Storage = localStorage): ChatKey | null {
  try {
    return JSON.parse(storage.getItem(`tg.chat.key.${userId}`) ?? 'null') as ChatKey | null;
  } catch {
    return null;
  }
}

export function saveChatKey(userId: string, key: ChatKey | null, storage: Storage = localStorage): void {
  if (key) storage.setItem(`tg.chat.key.${userId}`, JSON.stringify(key));
  else storage.removeItem(`tg.chat.key.${userId}`);
}
