import type { AccountView } from '@tiergate/contracts';
import { useChildrenLoader } from '@tiergate/web-api-client';
import { AccountDetail, MoveForm, useT } from '@tiergate/web-ui';
import { Card, Col, Input, Row, Tree, type TreeDataNode } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';

interface Node extends TreeDataNode {
  key: string;
  account: AccountView;
  children?: Node[];
}

function toNode(a: AccountView): Node {
  return { key: a.id, title: `${a.name} · ${a.kind}`, account: a, isLeaf: a.kind === 'USER' };
}

function replaceChildren(nodes: Node[], key: string, children: Node[]): Node[] {
  return nodes.map((n) => (n.key === key ? { ...n, children } : n.children ? { ...n, children: replaceChildren(n.children, key, children) } : n));
}

function filterTree(nodes: Node[], q: string): Node[] {
  const out: Node[] = [];
  for (const n of nodes) {
    const kids = n.children ? filterTree(n.children, q) : [];
    if (n.account.name.toLowerCase().includes(q) || kids.length > 0) out.push({ ...n, children: kids.length > 0 ? kids : n.children });
  }
  return out;
}

/** The whole tree, loaded one level at a time as it is opened; search filters what is loaded. */
export function TreePage({ rootId, selected, onSelect }: { rootId: string; selected?: string; onSelect: (id: string) => void }) {
  const t = useT();
  const load = useChildrenLoader();
  const [nodes, setNodes] = useState<Node[]>([]);
  const [query, setQuery] = useState('');
  useEffect(() => {
    void load(rootId).then((page) => setNodes(page.items.map(toNode)));
  }, [rootId]);
  const onLoad = useCallback(
    async (node: Node) => {
      if (node.children) return;
      const page = await load(node.key);
      setNodes((all) => replaceChildren(all, node.key, page.items.map(toNode)));
    },
    [load],
  );
  const shown = useMemo(() => (query ? filterTree(nodes, query.toLowerCase()) : nodes), [nodes, query]);
  return (
    <Row gutter={16}>
      <Col span={8}>
        <Card size="small" title={t('nav.tree')}>
          <Input.Search placeholder={t('common.search')} allowClear onChange={(e) => setQuery(e.target.value)} style={{ marginBottom: 12 }} data-testid="tree-search" />
          <Tree<Node> treeData={shown} loadData={onLoad} selectedKeys={selected ? [selected] : []} onSelect={(keys) => keys[0] && onSelect(String(keys[0]))} />
        </Card>
      </Col>
      <Col span={16}>
        {selected && (
          <>
            <AccountDetail accountId={selected} onOpen={onSelect} childKinds={['AGENT', 'TENANT']} viewerId={rootId} />
            <Card size="small" title={t('account.move')} style={{ marginTop: 16 }}>
              <MoveForm accountId={selected} />
            </Card>
          </>
        )}
      </Col>
    </Row>
  );
}
