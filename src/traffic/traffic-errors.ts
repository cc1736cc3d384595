import { HomeostatError } from '../errors/homeostat-error.js';

/** A front door could not listen (`expose: { host, port }`): the port is taken, or the host is not local. */
export class FrontDoorUnavailableError extends HomeostatError {
  constructor(service: string, host: string, port: number, cause: unknown) {
    super('HS_FRONT_DOOR_UNAVAILABLE', `the front door of ${service} cannot listen on ${host}:${port}: ${(cause as Error).message}`, { cause });
  }
}
