package org.uuidmig.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A port on 127.0.0.1 where nothing listens, for as long as this is open: a socket bound to it but not listening, so
 * connections are refused and no other process (another run's server, say) can listen there meanwhile. A port merely
 * found free could be taken before the test connects; a fixed one (port 1) is machine state a test does not own.
 */
public final class ClosedPort implements AutoCloseable {
    private final Socket socket = new Socket();

    public ClosedPort() throws IOException {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    public int port() {
        return socket.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
