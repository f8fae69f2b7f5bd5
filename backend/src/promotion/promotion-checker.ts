import { HttpStatus, Injectable, type OnModuleInit } from '@nestjs/common';
import { ProblemException } from '../common/problem';
import type { ModelVersionEntity } from '../model-registry/model-version.entity';
import {
  PromotionGate,
  type PromotionChecker,
  type PromotionOutcome,
  type PromotionRequest,
} from '../model-registry/promotion-gate';
import { PromotionEvidenceDto } from './promotion-evidence.dto';
import { PromotionEvidenceService } from './promotion-evidence.service';

/**
 * The evidence rule of every promotion to champion: a version worse than the champion by more than
 * PROMOTION_MARGIN (relative MAPE on the champion's holdout) needs `force` with a reason (409 otherwise,
 * the evidence in the problem body). Without evidence the promotion proceeds, as before evidence existed.
 */
@Injectable()
export class EvidencePromotionChecker implements PromotionChecker, OnModuleInit {
  constructor(
    private readonly gate: PromotionGate,
    private readonly evidence: PromotionEvidenceService,
  ) {}

  onModuleInit(): void {
    this.gate.use(this);
  }

  async check(candidate: ModelVersionEntity, request: PromotionRequest): Promise<PromotionOutcome> {
    const evidence = await this.evidence.evidence(candidate);
    const worse = evidence.verdict === 'worse';
    if (worse && !request.force) {
      const percent = ((evidence.relativeMapeChange ?? Infinity) * 100).toFixed(1);
      throw new ProblemException(
        HttpStatus.CONFLICT,
        'promotion-needs-force',
        'Promotion needs force',
        `${candidate.name} v${candidate.version} has a MAPE ${percent} % above ` +
          `${evidence.champion!.name} v${evidence.champion!.version}'s on the champion's holdout (margin ` +
          `${(evidence.margin * 100).toFixed(1)} %): send force: true with a reason to promote it anyway`,
        undefined,
        {},
        { evidence: PromotionEvidenceDto.from(evidence) },
      );
    }
    return {
      verdict: evidence.verdict,
      missing: evidence.missing,
      forced: worse,
      ...(evidence.scores && evidence.champion && { championId: evidence.champion.id }),
    };
  }
}
