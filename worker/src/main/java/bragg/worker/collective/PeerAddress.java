package bragg.worker.collective;

import java.io.Serializable;

/**
 * Where rank {@code rank} listens for its ring predecessor: the host of its executor and the port
 * of the server socket it opened before the rendezvous.
 */
public record PeerAddress(int rank, String host, int port) implements Serializable {

    public PeerAddress {
        if (rank < 0) {
            throw new IllegalArgumentException("peer rank must be >= 0, found " + rank);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("peer " + rank + ": host is empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("peer " + rank + ": port must be in 1..65535, found " + port);
        }
    }

    /** Parses {@code host:port} (the string each task publishes through allGather). */
    public static PeerAddress parse(int rank, String hostPort) {
        int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("peer " + rank + ": expected host:port, found '" + hostPort + "'");
        }
        try {
            return new PeerAddress(rank, hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("peer " + rank + ": port is not a number in '" + hostPort + "'", e);
        }
    }

    @Override
    public String toString() {
        return "rank " + rank + " at " + host + ":" + port;
    }
}
