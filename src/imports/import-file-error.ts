import { IMPORT_FILE_ERROR } from '../../workflows/contracts/customer-import';

/** The upload as a whole cannot be imported (empty, not CSV, no header, not a JSON array): the action fails with this message. */
export class ImportFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = IMPORT_FILE_ERROR;
  }
}
