export { AuthModule } from './auth.module';
export { AuthService, type ApiKeyView, type CreateApiKeyInput, type CreatedApiKey } from './auth.service';
export { ApiKeyGuard, extractApiKey } from './api-key.guard';
export { Public, RequireScopes } from './auth.decorators';
export { Principal, type AuthenticatedRequest } from './principal';
export { SCOPES, hasScopes, effectiveScopes, isScope, type Scope } from './scopes';
export { ApiKeyEntity } from './api-key.entity';
