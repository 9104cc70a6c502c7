import { optionChecks } from '@warden/core';
import { invalidOption } from '../errors.js';

/** Core's shared validators, raising `ERR_INVALID_OPTION` as a `WsTransportError`. */
export const checks = optionChecks(invalidOption);
