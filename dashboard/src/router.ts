import { createRouter, createWebHistory, type RouteRecordRaw, type RouterHistory } from 'vue-router';
import type { Scope } from './api/types';
import { messageOf } from './composables/useResource';
import { useSession } from './composables/useSession';
import { NAV_ITEMS } from './navigation';
import SignInView from './views/SignInView.vue';

declare module 'vue-router' {
  interface RouteMeta {
    /** Reachable without a key. */
    public?: boolean;
    scope?: Scope;
    title?: string;
  }
}

const views: Record<string, () => Promise<unknown>> = {
  predict: () => import('./views/PredictView.vue'),
  explore: () => import('./views/ExploreView.vue'),
  batch: () => import('./views/BatchView.vue'),
  models: () => import('./views/ModelsView.vue'),
  monitoring: () => import('./views/MonitoringView.vue'),
  keys: () => import('./views/KeysView.vue'),
  runs: () => import('./views/RunsView.vue'),
};

const routes: RouteRecordRaw[] = [
  { path: '/sign-in', name: 'sign-in', component: SignInView, meta: { public: true, title: 'Sign in' } },
  { path: '/', name: 'home', component: () => import('./views/HomeView.vue'), meta: { title: 'Overview' } },
  ...NAV_ITEMS.map((item): RouteRecordRaw => ({
    path: item.path,
    name: item.name,
    component: views[item.name]!,
    meta: { scope: item.scope, title: item.label },
  })),
  // A run's page and the comparison live under /runs (the menu's Runs item stays current there).
  {
    path: '/runs/compare',
    name: 'run-compare',
    component: () => import('./views/RunCompareView.vue'),
    meta: { scope: 'train', title: 'Compare runs' },
  },
  {
    path: '/runs/:id',
    name: 'run',
    component: () => import('./views/RunView.vue'),
    meta: { scope: 'train', title: 'Training run' },
  },
  {
    path: '/:pathMatch(.*)*',
    name: 'not-found',
    component: () => import('./views/NotFoundView.vue'),
    meta: { title: 'Not found' },
  },
];

export function createAppRouter(history: RouterHistory = createWebHistory('/')) {
  const router = createRouter({ history, routes });

  router.beforeEach(async (to) => {
    if (to.meta.public) return true;
    const session = useSession();
    const signIn = { name: 'sign-in', query: to.fullPath === '/' ? {} : { redirect: to.fullPath } };
    if (!session.signedIn.value) return signIn;
    // Fetch the view's code while the key is checked, not after (the router would load it only then).
    for (const record of to.matched) {
      const view = record.components?.default;
      if (typeof view === 'function') void (view as () => Promise<unknown>)();
    }
    try {
      await session.ensureMe();
    } catch (error) {
      // A refused key has already been signed out with the server's reason; any other failure (the
      // server unreachable) is shown on the sign-in page too, where signing in again retries.
      if (session.signedIn.value) session.signOut(messageOf(error));
      return signIn;
    }
    // A page the key may not use stays at its address and says which scope is missing (App.vue).
    return true;
  });

  router.afterEach((to) => {
    document.title = to.meta.title ? `${to.meta.title} · Housing prices` : 'Housing prices';
  });

  return router;
}
