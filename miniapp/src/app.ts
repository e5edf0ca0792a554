import type { PropsWithChildren } from 'react';
import './app.scss';

/** The app root: pages render as children; the session is restored lazily by each page (see hooks/use-session). */
function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
