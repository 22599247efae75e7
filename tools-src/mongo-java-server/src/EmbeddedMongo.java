import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

/**
 * Runs mongo-java-server on a host and port, persisted to an H2 MVStore file or in memory.
 * Usage: EmbeddedMongo <host> <port> <file.mv | :memory:>
 * The library ships no main that takes a port and a file, hence this class.
 */
public final class EmbeddedMongo {
  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: EmbeddedMongo <host> <port> <file.mv|:memory:>");
      System.exit(2);
    }
    MongoBackend backend = ":memory:".equals(args[2]) ? new MemoryBackend() : new H2Backend(args[2]);
    MongoServer server = new MongoServer(backend);
    // Closing the server flushes the H2 store, so data written before SIGTERM survives.
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    server.bind(args[0], Integer.parseInt(args[1]));
    System.out.println("mongo-java-server listening on " + args[0] + ":" + args[1]);
    Thread.currentThread().join();
  }
}
