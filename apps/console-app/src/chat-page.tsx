import { PlusOutlined } from '@ant-design/icons';
import { ApiError, type ChatMessage, type MeView, streamChat, useCreateApiKey, useRelayModels } from '@tiergate/web-api-client';
import { QuotaCard, useT } from '@tiergate/web-ui';
import { Alert, Button, Card, Col, Empty, Input, List, Row, Select, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { type ChatKey, type Conversation, loadChatKey, loadConversations, saveChatKey, saveConversations } from './chat-store.js';

const CHAT_KEY_DAYS = 30;

/** Mints (once per browser) the API key the chat sends with; a revoked or expired one is replaced. */
function useChatKey(userId: string): { key: ChatKey | null; error: string | null; renew(): void } {
  const create = useCreateApiKey();
  const [key, setKey] = useState<ChatKey | null>(() => loadChatKey(userId));
  const [error, setError] = useState<string | null>(null);
  const minting = useRef(false);
  useEffect(() => {
    if (key || minting.current) return;
    minting.current = true;
    const expiresAt = new Date(Date.now() + CHAT_KEY_DAYS * 86_400_000).toISOString();
    create.mutate(
      { id: userId, name: 'Chat (browser)', expiresAt },
      {
        onSuccess: (k) => {
          const next = { id: k.id, key: k.key };
          saveChatKey(userId, next);
          setKey(next);
        },
        onError: (e) => setError(e.message),
        onSettled: () => {
          minting.current = false;
        },
      },
    );
  }, [key, userId, create]);
  return {
    key,
    error,
    renew: () => {
      saveChatKey(userId, null);
      setKey(null);
    },
  };
}

export function ChatPage({ me }: { me: MeView }) {
  const t = useT();
  const userId = me.account.id;
  const chatKey = useChatKey(userId);
  const models = useRelayModels(chatKey.key?.key);
  const [conversations, setConversations] = useState<Conversation[]>(() => loadConversations(userId));
  const [currentId, setCurrentId] = useState<string | null>(() => conversations[0]?.id ?? null);
  const [model, setModel] = useState<string | undefined>();
  const [draft, setDraft] = useState('');
  const [streaming, setStreaming] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const abort = useRef<AbortController | null>(null);

  useEffect(() => {
    if (models.error instanceof ApiError && models.error.status === 401) chatKey.renew();
  }, [models.error, chatKey]);
  useEffect(() => {
    if (!model && models.data?.[0]) setModel(models.data[0].id);
  }, [models.data, model]);
  useEffect(() => saveConversations(userId, conversations), [userId, conversations]);

  const current = conversations.find((c) => c.id === currentId) ?? null;

  const send = async () => {
    const text = draft.trim();
    if (!text || !model || !chatKey.key || streaming !== null) return;
    setError(null);
    setDraft('');
    const base: Conversation = current ?? { id: crypto.randomUUID(), title: text.slice(0, 40), model, messages: [], updatedAt: new Date().toISOString() };
    const messages: ChatMessage[] = [...base.messages, { role: 'user', content: text }];
    const update = (msgs: ChatMessage[]) =>
      setConversations((all) => [{ ...base, model, messages: msgs, updatedAt: new Date().toISOString() }, ...all.filter((c) => c.id !== base.id)]);
    update(messages);
    setCurrentId(base.id);
    const controller = new AbortController();
    abort.current = controller;
    let answer = '';
    setStreaming('');
    try {
      await streamChat({
        apiKey: chatKey.key.key,
        model,
        messages,
        signal: controller.signal,
        onDelta: (delta) => {
          answer += delta;
          setStreaming(answer);
        },
      });
      update([...messages, { role: 'assistant', content: answer }]);
    } catch (err) {
      if (controller.signal.aborted) {
        update([...messages, { role: 'assistant', content: `${answer} ${t('chat.stopped')}` }]);
      } else {
        if (answer) update([...messages, { role: 'assistant', content: answer }]);
        setError(err instanceof Error ? err.message : String(err));
      }
    } finally {
      abort.current = null;
      setStreaming(null);
    }
  };

  const shown: ChatMessage[] = [...(current?.messages ?? []), ...(streaming !== null ? [{ role: 'assistant' as const, content: streaming }] : [])];

  return (
    <Row gutter={16}>
      <Col span={6}>
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Button block icon={<PlusOutlined />} onClick={() => setCurrentId(null)} disabled={streaming !== null}>
            {t('chat.new')}
          </Button>
          <Card size="small" title={t('chat.history')}>
            <List
              size="small"
              dataSource={conversations}
              locale={{ emptyText: t('common.empty') }}
              renderItem={(c) => (
                <List.Item onClick={() => streaming === null && setCurrentId(c.id)} style={{ cursor: 'pointer', fontWeight: c.id === currentId ? 600 : 400 }}>
                  <Typography.Text ellipsis>{c.title || t('chat.untitled')}</Typography.Text>
                </List.Item>
              )}
            />
          </Card>
          <QuotaCard accountId={userId} />
        </Space>
      </Col>
      <Col span={18}>
        <Card
          size="small"
          title={current?.title ?? t('chat.untitled')}
          extra={
            <Select
              data-testid="model-picker"
              style={{ width: 220 }}
              value={model}
              onChange={setModel}
              loading={models.isPending}
              options={(models.data ?? []).map((m) => ({ value: m.id, label: m.id }))}
            />
          }
        >
          {chatKey.error && <Alert type="error" title={chatKey.error} />}
          {models.data && models.data.length === 0 && <Alert type="warning" title={t('chat.noModels')} />}
          <div style={{ minHeight: 360, maxHeight: '60vh', overflowY: 'auto', marginBottom: 16 }} data-testid="chat-messages">
            {shown.length === 0 && <Empty description={t('chat.placeholder')} />}
            {shown.map((m, i) => (
              <div key={i} style={{ display: 'flex', justifyContent: m.role === 'user' ? 'flex-end' : 'flex-start', margin: '8px 0' }}>
                <div
                  data-testid={m.role === 'user' ? 'user-message' : 'assistant-message'}
                  style={{ maxWidth: '75%', whiteSpace: 'pre-wrap', padding: '8px 12px', borderRadius: 8, background: m.role === 'user' ? '#d6e4ff' : '#f5f5f5' }}
                >
                  {m.content}
                </div>
              </div>
            ))}
          </div>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="chat-error" />}
          <Space.Compact style={{ width: '100%' }}>
            <Input.TextArea
              data-testid="chat-input"
              autoSize={{ minRows: 1, maxRows: 6 }}
              value={draft}
              placeholder={t('chat.placeholder')}
              onChange={(e) => setDraft(e.target.value)}
              onPressEnter={(e) => {
                if (!e.shiftKey) {
                  e.preventDefault();
                  void send();
                }
              }}
            />
            {streaming !== null ? (
              <Button danger onClick={() => abort.current?.abort()} data-testid="chat-stop">
                {t('chat.stop')}
              </Button>
            ) : (
              <Button type="primary" onClick={() => void send()} disabled={!model || !draft.trim()} data-testid="chat-send">
                {t('chat.send')}
              </Button>
            )}
          </Space.Compact>
        </Card>
      </Col>
    </Row>
  );
}
