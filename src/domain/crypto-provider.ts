import "reflect-metadata"; // @peculiar/x509 uses tsyringe, which needs the Reflect polyfill
import { webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";

/**
 * @peculiar/x509 signs and verifies through Node's WebCrypto. Set once, here: every module that needs it
 * (X.509 decoding, input validators, the emulators' CA) imports this module for its effect.
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);
