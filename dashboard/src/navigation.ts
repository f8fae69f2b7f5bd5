import type { Scope } from './api/types';

export interface NavItem {
  name: string;
  path: string;
  label: string;
  /** The scope a key needs for the view (admin implies all: the server's effectiveScopes say so). */
  scope: Scope;
}

/** The views, in menu order. The router and the menu both read this list. */
export const NAV_ITEMS: readonly NavItem[] = [
  { name: 'predict', path: '/predict', label: 'Predict', scope: 'predict' },
  { name: 'explore', path: '/explore', label: 'Explore', scope: 'models:read' },
  { name: 'batch', path: '/batch', label: 'Batch jobs', scope: 'batch' },
  { name: 'models', path: '/models', label: 'Models', scope: 'models:read' },
  { name: 'runs', path: '/runs', label: 'Runs', scope: 'train' },
  { name: 'monitoring', path: '/monitoring', label: 'Monitoring', scope: 'models:read' },
  { name: 'keys', path: '/keys', label: 'API keys', scope: 'admin' },
];

export function allowedItems(scopes: readonly Scope[]): NavItem[] {
  return NAV_ITEMS.filter((item) => scopes.includes(item.scope));
}
