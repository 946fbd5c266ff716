import type { Server } from "node:http";
import type { Socket } from "node:net";

/**
 * Loopback server plumbing shared by every server the drill starts: listen on
 * an ephemeral 127.0.0.1 port, remember open sockets, and close for good
 * (destroying kept-alive and hanging connections, so nothing outlives the drill).
 */
export class LoopbackListener {
  readonly sockets = new Set<Socket>();
  private portNumber = 0;

  constructor(readonly server: Server) {
    server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  /** The bound port (0 before {@link listen}). */
  get port(): number {
    return this.portNumber;
  }

  /** Listens on 127.0.0.1 (`port` 0 = ephemeral; a given port = re-listen after a pause). */
  listen(port = 0): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once("error", onError);
      this.server.listen(port, "127.0.0.1", () => {
        this.server.off("error", onError);
        const address = this.server.address();
        this.portNumber = typeof address === "object" && address !== null ? address.port : port;
        resolve(this.portNumber);
      });
    });
  }

  /** Stops accepting connections and destroys the open ones. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        this.destroySockets();
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.destroySockets();
    });
  }

  /** Destroys every open connection (their clients see a reset). */
  destroySockets(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}
