import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.Document;
import java.util.Collection;
import java.util.Map;
import java.util.regex.Pattern;

/** What a query condition asks, as far as the launcher's indexes need to know. */
final class QueryValues {
  private QueryValues() {}

  /**
   * Only scalar equality narrows to one key value. Null also matches a missing field, arrays
   * and sub-documents have array/operator semantics, and regexes match many keys: those keep
   * the library's scan.
   */
  static boolean isPlainEquality(Object value) {
    return value != null
        && !(value instanceof Document)
        && !(value instanceof Map)
        && !(value instanceof Collection)
        && !(value instanceof Pattern)
        && !(value instanceof BsonRegularExpression);
  }
}
