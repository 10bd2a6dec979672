package io.lethe.schemas.serde;

import java.io.IOException;
import org.apache.avro.Schema;
import org.apache.avro.generic.PrimitivesArrays;
import org.apache.avro.io.ResolvingDecoder;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;

/**
 * A {@link SpecificDatumReader} that reads {@code array<float>} fields into {@link
 * PrimitivesArrays.FloatArray}, a {@code List<Float>} backed by a {@code float[]}, without boxing
 * each element. Avro's own readers (the fast one included) box every float: for a 784-feature
 * training sample that was most of the decoding time and 784 objects of garbage.
 *
 * <p>Schema resolution is Avro's: the elements are read through the {@link ResolvingDecoder}, so a
 * writer's {@code int} or {@code long} array is promoted as usual. Other arrays, and float arrays
 * with a logical type, are read by the base class.
 *
 * @param <T> the generated record class
 */
final class FloatArrayDatumReader<T> extends SpecificDatumReader<T> {
  /** Capacity reserved up front at most: a corrupt block count must not allocate gigabytes. */
  private static final int MAX_INITIAL_CAPACITY = 1 << 16;

  /**
   * A reader of {@code writer}-encoded data into {@code type}'s schema {@code reader}.
   *
   * @param type the generated class, whose logical-type conversions are used
   */
  FloatArrayDatumReader(Schema writer, Schema reader, Class<T> type) {
    super(writer, reader, classicData(type));
  }

  /**
   * {@code type}'s model with Avro's fast reader turned off: the fast reader does not call {@link
   * #readArray}. A copy, so other readers of the class keep their settings.
   */
  private static SpecificData classicData(Class<?> type) {
    SpecificData data = new SpecificData(type.getClassLoader());
    SpecificData.getForClass(type).getConversions().forEach(data::addLogicalTypeConversion);
    data.setFastReaderEnabled(false);
    return data;
  }

  @Override
  protected Object readArray(Object old, Schema expected, ResolvingDecoder in) throws IOException {
    Schema element = expected.getElementType();
    if (element.getType() != Schema.Type.FLOAT || element.getLogicalType() != null) {
      return super.readArray(old, expected, in);
    }
    long block = in.readArrayStart();
    PrimitivesArrays.FloatArray array =
        new PrimitivesArrays.FloatArray((int) Math.min(block, MAX_INITIAL_CAPACITY), expected);
    int size = 0;
    while (block > 0) {
      for (long i = 0; i < block; i++) {
        array.add(size++, in.readFloat());
      }
      block = in.arrayNext();
    }
    return array;
  }
}
