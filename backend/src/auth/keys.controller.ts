import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ProblemDetails } from '../common/problem';
import { RequireScopes } from './auth.decorators';
import { AuthService } from './auth.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto, MyApiKeyDto } from './keys.dto';
import { Principal } from './principal';

@ApiTags('keys')
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly auth: AuthService) {}

  @Post()
  @HttpCode(201)
  @Header('cache-control', 'no-store')
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Create an API key',
    description: 'The response is the only time the secret key is shown; only its hash is stored.',
  })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  @ApiBadRequestResponse({
    type: ProblemDetails,
    description: 'Invalid body: `errors` names every bad field',
  })
  async create(@Body() body: CreateApiKeyDto, @Principal() principal: Principal): Promise<CreatedApiKeyDto> {
    const { key, record } = await this.auth.create({
      name: body.name.trim(),
      scopes: body.scopes,
      expiresAt: body.expiresAt == null ? null : Date.parse(body.expiresAt),
      rateLimitPerMinute: body.rateLimitPerMinute ?? null,
      createdBy: principal.keyId,
    });
    return CreatedApiKeyDto.withKey(record, key);
  }

  @Get()
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'List API keys (never the secrets), newest first, revoked and expired ones included',
  })
  @ApiOkResponse({ type: [ApiKeyDto] })
  async list(): Promise<ApiKeyDto[]> {
    const now = Date.now();
    return (await this.auth.list()).map((key) => ApiKeyDto.from(key, now));
  }

  @Get('me')
  @RequireScopes()
  @ApiOperation({ summary: 'The calling key: its name, scopes and expiry (any valid key)' })
  @ApiOkResponse({ type: MyApiKeyDto })
  async me(@Principal() principal: Principal): Promise<MyApiKeyDto> {
    return MyApiKeyDto.from(
      principal,
      await this.auth.get(principal.keyId),
      this.auth.limitFor(principal.keyId),
    );
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('admin')
  @ApiOperation({
    summary: 'Revoke an API key',
    description: 'It stops working on its next request. Revoking a revoked key is a no-op.',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiNoContentResponse({ description: 'Revoked' })
  @ApiNotFoundResponse({ type: ProblemDetails, description: 'No key with this id' })
  @ApiConflictResponse({ type: ProblemDetails, description: 'It is the last active admin key' })
  async revoke(@Param('id') id: string, @Principal() principal: Principal): Promise<void> {
    await this.auth.revoke(id, principal.keyId);
  }
}
