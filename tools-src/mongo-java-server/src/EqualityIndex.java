import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A non-unique index, kept in memory, that serves equality (and `$in`) on its first key.
 *
 * mongo-java-server 1.47.0 ignores non-unique indexes (an EmptyIndex that handles nothing), so
 * `{customer_id: x}` on orders or `{outbox_pending: true}` read every document of the
 * collection, a cost that grows with the data. This index maps each value of the first key to
 * the documents holding it; the collection re-checks the FULL query on those candidates
 * (AbstractMongoCollection.matchDocuments -> documentMatchesQuery), so the other conditions and
 * the other keys of a compound index still apply, and answers are what a scan would give.
 *
 * It is rebuilt when the server opens the collection (the library fills an empty index from
 * the documents: AbstractMongoCollection.addIndex), so nothing of it is persisted. Every
 * document is indexed, sparse or not, so removing one always finds its position.
 */
final class EqualityIndex<P> extends Index<P> {
  private static final Object MISSING_ID = new Object();

  /** Reads the first key's values from a document the way the library's own indexes read keys (arrays give one value per element). */
  private final Index<P> firstKey;
  private final String field;
  /** The collection it indexes, known from the first document added (an index that never saw one has nothing to prefer). */
  private volatile MongoCollection<P> owner;
  private final Map<KeyValue, Map<Object, P>> buckets = new HashMap<>();
  private final Map<Object, P> positions = new HashMap<>();

  EqualityIndex(String name, List<IndexKey> keys, boolean sparse) {
    super(name, keys, sparse);
    this.field = keys.get(0).getKey();
    this.firstKey = new KeyReader<>(name, List.of(keys.get(0)));
  }

  /**
   * A unique index narrows to one document: queries it can serve are left to it. Among
   * equality indexes, the one with the fewest candidates serves (the earlier one on a tie).
   * Holds no lock while asking the others, so two indexes never wait on each other.
   */
  @Override
  public boolean canHandle(Document query) {
    int mine = candidatesFor(query);
    if (mine < 0) return false;
    MongoCollection<P> collection = owner;
    if (collection == null) return true;
    boolean before = true;
    for (Index<P> other : collection.getIndexes()) {
      if (other == this) {
        before = false;
        continue;
      }
      if (other.isUnique()) {
        if (other.canHandle(query)) return false;
      } else if (other instanceof EqualityIndex<P> equality) {
        int theirs = equality.candidatesFor(query);
        if (theirs >= 0 && (theirs < mine || (theirs == mine && before))) return false;
      }
    }
    return true;
  }

  @Override
  public synchronized Iterable<P> getPositions(Document query) {
    List<KeyValue> wanted = lookupKeys(query);
    if (wanted == null) throw new IllegalStateException("query not served by " + getName() + ": " + query);
    Map<Object, P> found = new LinkedHashMap<>();
    for (KeyValue key : wanted) {
      Map<Object, P> bucket = buckets.get(key);
      if (bucket != null) found.putAll(bucket);
    }
    return new ArrayList<>(found.values());
  }

  /** How many documents this index would return for the query, or -1 when it cannot serve it. */
  synchronized int candidatesFor(Document query) {
    List<KeyValue> wanted = lookupKeys(query);
    return wanted == null ? -1 : candidateCount(wanted);
  }

  private int candidateCount(List<KeyValue> wanted) {
    int count = 0;
    for (KeyValue key : wanted) {
      Map<Object, P> bucket = buckets.get(key);
      if (bucket != null) count += bucket.size();
    }
    return count;
  }

  /**
   * The index keys a query asks for: its first key's plain value, each value of an `$in` on
   * it, or (for a top-level key) the key absent documents are filed under for `$exists:
   * false`; null when the query needs something else (a range, null, a regex, a sub-document
   * or array value), which the collection then scans for.
   */
  private List<KeyValue> lookupKeys(Document query) {
    if (!query.containsKey(field)) return null;
    Object value = query.get(field);
    List<Object> values = new ArrayList<>();
    if (QueryValues.isPlainEquality(value)) {
      values.add(value);
    } else if (value instanceof Document operators && operators.size() == 1 && operators.get("$in") instanceof Collection<?> in && !in.isEmpty()) {
      for (Object v : in) {
        if (!QueryValues.isPlainEquality(v)) return null;
        values.add(v);
      }
    } else if (isNotExists(value) && !field.contains(".")) {
      // A top-level field that is absent reads as the key of an empty document (through an array path it may read as none).
      Set<KeyValue> absent = keysOf(new Document());
      return absent.isEmpty() ? null : new ArrayList<>(absent);
    } else {
      return null;
    }
    List<KeyValue> keys = new ArrayList<>();
    // Through the same reader as the documents, so a value and its stored form compare equal.
    for (Object v : values) keys.addAll(keysOf(asDocument(field, v)));
    return keys;
  }

  private static boolean isNotExists(Object value) {
    return value instanceof Document operators && operators.size() == 1 && Boolean.FALSE.equals(operators.get("$exists"));
  }


  /** `{"a.b": v}` as the document `{a: {b: v}}`, the shape the key reader walks. */
  private static Document asDocument(String path, Object value) {
    int dot = path.indexOf('.');
    if (dot < 0) return new Document(path, value);
    return new Document(path.substring(0, dot), asDocument(path.substring(dot + 1), value));
  }

  private Set<KeyValue> keysOf(Document document) {
    Set<KeyValue> keys = new LinkedHashSet<>();
    for (KeyValue key : firstKey.getKeyValues(document)) keys.add(key.normalized());
    return keys;
  }

  private static Object idOf(Document document) {
    Object id = document.get("_id");
    return id == null ? MISSING_ID : new KeyValue(id).normalized();
  }

  @Override
  public synchronized void add(Document document, P position, MongoCollection<P> collection) {
    owner = collection;
    Object id = idOf(document);
    positions.put(id, position);
    for (KeyValue key : keysOf(document)) buckets.computeIfAbsent(key, k -> new HashMap<>()).put(id, position);
  }

  @Override
  public synchronized P remove(Document document) {
    Object id = idOf(document);
    for (KeyValue key : keysOf(document)) removeFromBucket(key, id);
    return positions.remove(id);
  }

  @Override
  public synchronized void updateInPlace(Document oldDocument, Document newDocument, P position, MongoCollection<P> collection) {
    owner = collection;
    Set<KeyValue> before = keysOf(oldDocument);
    Set<KeyValue> after = keysOf(newDocument);
    Object id = idOf(newDocument);
    positions.put(id, position);
    for (KeyValue key : before) if (!after.contains(key)) removeFromBucket(key, id);
    for (KeyValue key : after) buckets.computeIfAbsent(key, k -> new HashMap<>()).put(id, position);
  }

  private void removeFromBucket(KeyValue key, Object id) {
    Map<Object, P> bucket = buckets.get(key);
    if (bucket == null) return;
    bucket.remove(id);
    if (bucket.isEmpty()) buckets.remove(key);
  }

  @Override public synchronized P getPosition(Document document) { return positions.get(idOf(document)); }
  @Override public void checkAdd(Document document, MongoCollection<P> collection) {}
  @Override public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {}
  @Override public synchronized long getCount() { return positions.size(); }
  @Override public long getDataSize() { return 0; }
  @Override public boolean isUnique() { return false; }

  @Override
  public synchronized void drop() {
    buckets.clear();
    positions.clear();
  }

  /** Only its inherited key reading is used. */
  private static final class KeyReader<P> extends Index<P> {
    KeyReader(String name, List<IndexKey> keys) { super(name, keys, false); }
    @Override public P getPosition(Document document) { throw new UnsupportedOperationException(); }
    @Override public void checkAdd(Document document, MongoCollection<P> owner) { throw new UnsupportedOperationException(); }
    @Override public void add(Document document, P position, MongoCollection<P> owner) { throw new UnsupportedOperationException(); }
    @Override public P remove(Document document) { throw new UnsupportedOperationException(); }
    @Override public boolean canHandle(Document query) { return false; }
    @Override public Iterable<P> getPositions(Document query) { throw new UnsupportedOperationException(); }
    @Override public long getCount() { return 0; }
    @Override public long getDataSize() { return 0; }
    @Override public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> owner) { throw new UnsupportedOperationException(); }
    @Override public void updateInPlace(Document oldDocument, Document newDocument, P position, MongoCollection<P> owner) { throw new UnsupportedOperationException(); }
    @Override public void drop() {}
  }
}
