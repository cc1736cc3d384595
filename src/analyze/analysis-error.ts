import { HomeostatError } from '../errors/homeostat-error.js';

/**
 * Bad input to the analysis tools: a file that cannot be read, or a CSV/JSON row that does
 * not parse. The message names the file and line.
 *
 * @example throw new AnalysisInputError('HS_ANALYSIS_BAD_ROW', 'cpu.csv:12: value "x" is not a number');
 * @example if (isHomeostatError(error, 'HS_ANALYSIS_BAD_ROW')) fixTheFile();
 */
export class AnalysisInputError extends HomeostatError {
  constructor(code: 'HS_ANALYSIS_INPUT' | 'HS_ANALYSIS_BAD_ROW' | 'HS_ANALYSIS_CONFIG', message: string, cause?: unknown) {
    super(code, message, { retryable: false, cause });
  }
}
