import { createRoot } from 'react-dom/client';
import { Console } from './console.js';

createRoot(document.getElementById('root')!).render(<Console />);
