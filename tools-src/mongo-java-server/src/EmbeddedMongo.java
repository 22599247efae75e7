import de.bwaldvogel.mongo.MongoBackend;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.MongoVersion;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import io.netty.channel.Channel;
import java.util.List;
import java.util.Set;

/**
 * Runs mongo-java-server on a host and port, persisted to an H2 MVStore file or in memory.
 * Usage: EmbeddedMongo <host> <port> <file.mv | :memory:>
 * The library ships no main that takes a port and a file, hence this class. See
 * docs/mongo-substitute.md for why this server and what the adjustments below fix.
 */
public final class EmbeddedMongo {
  /** Commands after which the H2 store is committed, so an acknowledged write survives a killed process. */
  private static final Set<String> WRITES = Set.of(
      "insert", "update", "delete", "findandmodify", "create", "createindexes", "dropindexes", "drop", "dropdatabase", "renamecollection");

  public static void main(String[] args) throws Exception {
    if (args.length != 3) {
      System.err.println("usage: EmbeddedMongo <host> <port> <file.mv|:memory:>");
      System.exit(2);
    }
    MongoBackend backend = ":memory:".equals(args[2]) ? memory() : durableH2(args[2]);
    // 1.47.0 calls itself 5.0 but advertises wire version 8; the Node driver 7 under mongoose 9
    // refuses anything below 9. Advertise 5.0's real wire version, 13.
    backend.version(new MongoVersion() {
      @Override public List<Integer> getVersionArray() { return List.of(5, 0, 0); }
      @Override public int getWireVersion() { return 13; }
    });
    MongoServer server = new MongoServer(backend);
    // Closing the server flushes the H2 store on SIGTERM.
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
    server.bind(args[0], Integer.parseInt(args[1]));
    System.out.println("mongo-java-server listening on " + args[0] + ":" + args[1]);
    Thread.currentThread().join();
  }

  /**
   * H2's MVStore commits on its own about once a second, so a write acknowledged in the last
   * second was lost when the process was killed. Committing after each write command closes
   * that window (against a killed process; an OS crash still needs a real mongod).
   */
  private static H2Backend durableH2(String file) {
    return new H2Backend(file) {
      @Override
      public Document handleCommand(Channel channel, String database, String command, Document query) {
        Document result = super.handleCommand(channel, database, command, query);
        if (WRITES.contains(command.toLowerCase())) commit();
        return result;
      }

      @Override
      protected MongoDatabase openOrCreateDatabase(String name) {
        return new H2Database(name, getMvStore(), getCursorRegistry()) {
          @Override
          protected Index<Object> openOrCreateUniqueIndex(String collection, String index, List<IndexKey> keys, boolean sparse) {
            return new SupersetUniqueIndex<>(super.openOrCreateUniqueIndex(collection, index, keys, sparse));
          }

          @Override
          protected Index<Object> openOrCreateSecondaryIndex(String collection, String index, List<IndexKey> keys, boolean sparse) {
            return new EqualityIndex<>(index, keys, sparse);
          }
        };
      }
    };
  }

  /** The in-memory backend with the same index selection as the H2 one (see SupersetUniqueIndex). */
  private static MemoryBackend memory() {
    return new MemoryBackend() {
      @Override
      public MemoryDatabase openOrCreateDatabase(String name) {
        return new MemoryDatabase(name, getCursorRegistry()) {
          @Override
          protected Index<Integer> openOrCreateUniqueIndex(String collection, String index, List<IndexKey> keys, boolean sparse) {
            return new SupersetUniqueIndex<>(super.openOrCreateUniqueIndex(collection, index, keys, sparse));
          }

          @Override
          protected Index<Integer> openOrCreateSecondaryIndex(String collection, String index, List<IndexKey> keys, boolean sparse) {
            return new EqualityIndex<>(index, keys, sparse);
          }
        };
      }
    };
  }
}
