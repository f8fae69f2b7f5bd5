import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeyGuard } from './api-key.guard';
import { AuthService } from './auth.service';
import { KeysController } from './keys.controller';

/**
 * API keys and their enforcement: the global ApiKeyGuard (every route needs a key unless
 * @Public()), per-key rate limits, /v1/keys, and the bootstrap admin key on start.
 */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity])],
  controllers: [KeysController],
  providers: [AuthService, ApiKeyGuard, { provide: APP_GUARD, useExisting: ApiKeyGuard }],
  exports: [AuthService, ApiKeyGuard],
})
export class AuthModule {}
