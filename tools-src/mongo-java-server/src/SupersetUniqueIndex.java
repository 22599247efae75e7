import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.exception.KeyConstraintError;
import java.util.List;

/**
 * A unique index that also serves queries naming MORE fields than its keys.
 *
 * mongo-java-server 1.47.0 uses a unique index only when the query's fields are exactly the
 * index's fields, so `{_id: x, status: 'queued'}` or `{campaign_id, seq, holder_id: {$exists:
 * false}}` scanned the whole collection. When every index key has a plain equality value, the
 * index narrows the candidates to at most one document per key value, and the collection then
 * re-checks the FULL query on them (AbstractMongoCollection.matchDocuments ->
 * documentMatchesQuery), so the extra fields are still honoured.
 *
 * Everything else is delegated to the library's own index, which keeps storage, uniqueness
 * checks and persistence unchanged.
 */
final class SupersetUniqueIndex<P> extends Index<P> {
  private final Index<P> inner;

  SupersetUniqueIndex(Index<P> inner) {
    super(inner.getName(), inner.getKeys(), sparse(inner));
    this.inner = inner;
  }

  // Index.isSparse() is protected, so read the flag the way listIndexes reports it.
  private static boolean sparse(Index<?> index) {
    return Boolean.TRUE.equals(index.toIndexDescription().get("sparse"));
  }

  @Override
  public boolean canHandle(Document query) {
    if (inner.canHandle(query)) return true;
    List<IndexKey> keys = getKeys();
    if (query.size() <= keys.size()) return false;
    Document onKeys = new Document();
    for (IndexKey key : keys) {
      String field = key.getKey();
      if (!query.containsKey(field)) return false;
      Object value = query.get(field);
      if (!QueryValues.isPlainEquality(value)) return false;
      onKeys.put(field, value);
    }
    return inner.canHandle(onKeys);
  }


  @Override
  public Iterable<P> getPositions(Document query) {
    // The library's lookup reads only the index's own fields from the query.
    return inner.getPositions(query);
  }

  @Override public P getPosition(Document document) { return inner.getPosition(document); }
  @Override public void checkAdd(Document document, MongoCollection<P> collection) { inner.checkAdd(document, collection); }
  @Override public void add(Document document, P position, MongoCollection<P> collection) { inner.add(document, position, collection); }
  @Override public P remove(Document document) { return inner.remove(document); }
  @Override public long getCount() { return inner.getCount(); }
  @Override public boolean isEmpty() { return inner.isEmpty(); }
  @Override public long getDataSize() { return inner.getDataSize(); }
  @Override public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<P> collection) {
    inner.checkUpdate(oldDocument, newDocument, collection);
  }
  @Override public void updateInPlace(Document oldDocument, Document newDocument, P position, MongoCollection<P> collection)
      throws KeyConstraintError {
    inner.updateInPlace(oldDocument, newDocument, position, collection);
  }
  @Override public void drop() { inner.drop(); }
  @Override public boolean isUnique() { return inner.isUnique(); }
  @Override public Document toIndexDescription() { return inner.toIndexDescription(); }
  @Override public String toString() { return inner.toString(); }
}
