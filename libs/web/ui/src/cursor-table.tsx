import type { Page } from '@tiergate/contracts';
import { Button, Space, Table, type TableProps } from 'antd';
import { useState } from 'react';
import { useT } from './i18n.js';

/** The cursor of the page being shown, and the way back: the stack of earlier cursors. */
export function useCursorPager() {
  const [stack, setStack] = useState<(string | null)[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  return {
    cursor,
    page: stack.length + 1,
    next(nextCursor: string | null) {
      if (!nextCursor) return;
      setStack((s) => [...s, cursor]);
      setCursor(nextCursor);
    },
    prev() {
      setStack((s) => {
        const copy = [...s];
        setCursor(copy.pop() ?? null);
        return copy;
      });
    },
    reset() {
      setStack([]);
      setCursor(null);
    },
  };
}

export type CursorPager = ReturnType<typeof useCursorPager>;

/** An antd table over one server page, with previous/next driven by the API's cursors. */
export function CursorTable<T extends object>({
  data,
  pager,
  loading,
  ...rest
}: { data: Page<T> | undefined; pager: CursorPager; loading?: boolean } & Omit<TableProps<T>, 'dataSource' | 'pagination'>) {
  const t = useT();
  return (
    <div>
      <Table<T> size="middle" {...rest} dataSource={data?.items ?? []} loading={loading} pagination={false} />
      <Space style={{ marginTop: 12 }}>
        <Button size="small" disabled={pager.page <= 1} onClick={() => pager.prev()}>
          {t('common.prev')}
        </Button>
        <span>{pager.page}</span>
        <Button size="small" disabled={!data?.nextCursor} onClick={() => pager.next(data?.nextCursor ?? null)}>
          {t('common.next')}
        </Button>
      </Space>
    </div>
  );
}
