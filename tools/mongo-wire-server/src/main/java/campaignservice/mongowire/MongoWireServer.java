package campaignservice.mongowire;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;

/**
 * An in-memory server speaking the MongoDB wire protocol, for the campaign-service tests where no
 * real mongod can be installed: mongo-java-server's memory backend, started on a given address.
 *
 * <pre>
 * java -jar mongo-wire-server.jar [--host 127.0.0.1] [--port 27017] [--max-wire-version 21]
 * </pre>
 *
 * <p>{@code --port 0} takes any free port. Once the server listens it prints one line on stdout,
 * {@code mongo-wire-server ready on HOST:PORT}, which callers wait for. SIGTERM (or Ctrl-C) closes
 * the listening socket and the connections and exits; everything stored is lost.
 */
public final class MongoWireServer {

    /** What the handshake claims by default: wire version 21 is MongoDB 7.0. */
    static final int DEFAULT_MAX_WIRE_VERSION = 21;

    private MongoWireServer() {
    }

    public static void main(String[] args) throws InterruptedException {
        String host = "127.0.0.1";
        int port = 27017;
        int maxWireVersion = DEFAULT_MAX_WIRE_VERSION;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "--host":
                    host = value(args, ++i, arg);
                    break;
                case "--port":
                    port = number(value(args, ++i, arg), arg, 0, 65535);
                    break;
                case "--max-wire-version":
                    maxWireVersion = number(value(args, ++i, arg), arg, 0, 1000);
                    break;
                case "-h":
                case "--help":
                    usage(System.out);
                    return;
                default:
                    fail("unknown argument " + arg);
            }
        }

        MongoServer server = new MongoServer(new HandshakeFixingBackend(maxWireVersion));
        try {
            server.bind(host, port);
        } catch (RuntimeException e) {
            System.err.println("mongo-wire-server: cannot listen on " + host + ":" + port + ": " + e);
            System.exit(1);
            return;
        }

        CountDownLatch stopped = new CountDownLatch(1);
        // The JVM runs shutdown hooks on SIGTERM, SIGINT and SIGHUP: close the socket and the
        // connections before it exits, so the port is free again right away.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("mongo-wire-server: stopping");
            server.shutdownNow();
            stopped.countDown();
        }, "mongo-wire-server-shutdown"));

        InetSocketAddress address = server.getLocalAddress();
        System.out.println("mongo-wire-server ready on " + address.getHostString() + ":" + address.getPort()
            + " (maxWireVersion " + maxWireVersion + ")");
        System.out.flush();
        stopped.await();
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length) {
            fail(flag + " needs a value");
        }
        return args[index];
    }

    private static int number(String text, String flag, int min, int max) {
        try {
            int n = Integer.parseInt(text);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail(flag + " must be a number from " + min + " to " + max + ", not " + text);
        return min;
    }

    private static void fail(String message) {
        System.err.println("mongo-wire-server: " + message);
        usage(System.err);
        System.exit(2);
    }

    private static void usage(PrintStream out) {
        out.println("usage: java -jar mongo-wire-server.jar [--host HOST] [--port PORT]"
            + " [--max-wire-version N]");
        out.println("  --host HOST           address to listen on (default 127.0.0.1)");
        out.println("  --port PORT           port to listen on, 0 for any free one (default 27017)");
        out.println("  --max-wire-version N  maxWireVersion the handshake reports (default "
            + DEFAULT_MAX_WIRE_VERSION + ")");
    }

    /**
     * The memory backend with a handshake modern drivers accept.
     *
     * <p>Why: a driver learns from the handshake reply ({@code hello}, or the legacy
     * {@code isMaster}/{@code ismaster}) which wire-protocol versions the server speaks, and
     * refuses servers whose {@code maxWireVersion} is below its own minimum. mongo-java-server
     * 1.47's newest {@code ServerVersion} (MONGO_5_0) reports maxWireVersion 8, below what the
     * Rust {@code mongodb} 3.x driver accepts, so the driver would never send it a command. The
     * protocol the server really speaks (OP_MSG commands) is the one those newer versions use, so
     * only the number in the reply is raised; {@code minWireVersion} stays 0.
     *
     * <p>The library also has no {@code hello} command (MongoDB 4.4.2+ drivers send it when a
     * stable API version is set, or after a reply with {@code helloOk}); it is answered here with
     * the same reply, naming the primary flag {@code isWritablePrimary} as {@code hello} does.
     *
     * <p>Nothing else changes: {@code buildInfo} still reports 5.0.0, and the reply still has no
     * {@code logicalSessionTimeoutMinutes}, so drivers treat the server as a standalone without
     * sessions (no transactions, no retryable writes).
     */
    static final class HandshakeFixingBackend extends MemoryBackend {

        private final int maxWireVersion;

        HandshakeFixingBackend(int maxWireVersion) {
            this.maxWireVersion = maxWireVersion;
        }

        @Override
        public Document handleCommand(Channel channel, String databaseName, String command, Document query) {
            boolean isMaster = command.equalsIgnoreCase("ismaster");
            boolean hello = command.equalsIgnoreCase("hello");
            if (!isMaster && !hello) {
                return super.handleCommand(channel, databaseName, command, query);
            }
            Document reply = super.handleCommand(channel, databaseName, "ismaster", query);
            reply.put("maxWireVersion", Integer.valueOf(maxWireVersion));
            reply.put("minWireVersion", Integer.valueOf(0));
            if (isMaster) {
                return reply;
            }
            Document helloReply = new Document("isWritablePrimary", reply.get("ismaster"));
            for (Map.Entry<String, Object> entry : reply.entrySet()) {
                if (!entry.getKey().equals("ismaster")) {
                    helloReply.put(entry.getKey(), entry.getValue());
                }
            }
            return helloReply;
        }
    }
}
