import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArtifactSweeper } from './artifact-sweeper';
import { ModelAliasEntity, ModelStageChangeEntity, ModelVersionEntity } from './model-version.entity';
import { ModelEvents } from './model-events';
import { RegistryController } from './registry.controller';
import { RegistryService } from './registry.service';

@Module({
  imports: [TypeOrmModule.forFeature([ModelVersionEntity, ModelStageChangeEntity, ModelAliasEntity])],
  providers: [RegistryService, ModelEvents, ArtifactSweeper],
  controllers: [RegistryController],
  exports: [RegistryService, ModelEvents, ArtifactSweeper],
})
export class ModelRegistryModule {}
