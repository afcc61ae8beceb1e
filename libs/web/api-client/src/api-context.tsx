import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useState } from 'react';
import { HttpClient } from './http-client.js';

const ApiContext = createContext<HttpClient | null>(null);

export function ApiProvider({ client, children, queryClient }: { client: HttpClient; children: ReactNode; queryClient?: QueryClient }) {
  const [qc] = useState(() => queryClient ?? new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } }));
  return (
    <ApiContext.Provider value={client}>
      <QueryClientProvider client={qc}>{children}</QueryClientProvider>
    </ApiContext.Provider>
  );
}

export function useHttp(): HttpClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useHttp outside <ApiProvider>');
  return client;
}
