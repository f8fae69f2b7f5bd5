import { Injectable } from '@nestjs/common';
import { validationProblem } from '../common/problem';
import type { ModelVersionEntity } from './model-version.entity';
import type { Verdict } from '../promotion/promotion-evidence.types';

/** What a promotion request says about overriding the evidence. */
export interface PromotionRequest {
  force?: boolean;
  reason?: string | null;
}

/** What the evidence said about a promotion that may proceed. */
export interface PromotionOutcome {
  verdict: Verdict;
  /** Why there is no evidence (empty when there is). */
  missing: string[];
  /** The promotion overrides evidence that the version is worse (recorded in the history). */
  forced: boolean; /** The champion the evidence compared with (set when there was evidence). */
  championId?: string;
}

/** Decides whether a version may become champion; throws (409) when the evidence says it may not. */
export interface PromotionChecker {
  check(candidate: ModelVersionEntity, request: PromotionRequest): Promise<PromotionOutcome>;
}

/**
 * The check every promotion to champion passes (the alias endpoint and the deprecated stage one). The
 * registry cannot import the evidence module (which imports the registry and inference), so that module
 * plugs its checker in here at start-up; a process without it (none today) promotes as before.
 */
@Injectable()
export class PromotionGate {
  private checker?: PromotionChecker;

  use(checker: PromotionChecker): void {
    this.checker = checker;
  }

  async check(candidate: ModelVersionEntity, request: PromotionRequest): Promise<PromotionOutcome | null> {
    // The message says "needed when", not "is required": `reason` is optional without force, and
    // clients that learn a field's rules from error texts (schemathesis's error feedback, generated
    // form hints) read "is required" as required always.
    if (request.force && !request.reason?.trim())
      throw validationProblem([
        {
          field: 'reason',
          message: 'is needed when force is true: say why this version is promoted despite its evidence',
        },
      ]);
    return this.checker ? this.checker.check(candidate, request) : null;
  }
}
