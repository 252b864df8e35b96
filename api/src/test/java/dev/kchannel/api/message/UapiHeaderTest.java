// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The C header {@code kchan.h} is the source of truth: every Java constant must equal its C twin,
 * and every {@code KCHAN_} constant in C must have a Java twin, so a constant added on one side
 * only fails the build. Numbers are never copied into this test: names are mapped to Java values
 * by reflection ({@code KCHAN_ATTR_KEY} is {@code KchanProtocol.ATTR_KEY}) and through the enums.
 */
class UapiHeaderTest {

    private static final String HEADER_PROPERTY = "kchannel.uapi.header";
    private static final String PREFIX = "KCHAN_";

    private static UapiHeader header;

    @BeforeAll
    static void parseHeader() throws Exception {
        String configured = System.getProperty(HEADER_PROPERTY);
        Path path = configured != null ? Paths.get(configured) : Paths.get("..", "kmods", "include", "uapi", "kchan.h");
        if (!Files.isReadable(path)) {
            fail("cannot read the uapi header at " + path.toAbsolutePath() + "; surefire passes its path in -D"
                    + HEADER_PROPERTY);
        }
        header = UapiHeader.parse(path);
    }

    @Test
    void headerParsesIntoConstantsEnumsAndTheHeaderStruct() {
        assertThat(header.enums()).containsKeys("kchan_cmd", "kchan_attr", "kchan_transport", "kchan_event_type");
        assertThat(header.structs()).containsKey("kchan_hdr");
        assertThat(header.constants()).containsKeys("KCHAN_HDR_LEN", "KCHAN_CMD_MAX", "KCHAN_GENL_NAME");
    }

    @Test
    void everyJavaConstantEqualsItsHeaderTwin() throws IllegalAccessException {
        Map<String, String> mismatches = new TreeMap<>();
        for (Map.Entry<String, Object> java : javaConstants().entrySet()) {
            String cName = PREFIX + java.getKey();
            Object cValue = header.constants().get(cName);
            Object javaValue = java.getValue() instanceof Integer ? Long.valueOf((Integer) java.getValue()) : java.getValue();
            if (cValue == null) {
                mismatches.put(cName, "missing from the header (Java has " + javaValue + ")");
            } else if (!cValue.equals(javaValue)) {
                mismatches.put(cName, "header " + cValue + ", Java " + javaValue);
            }
        }
        assertThat(mismatches).as("KchanProtocol constants that disagree with kchan.h").isEmpty();
    }

    @Test
    void everyHeaderConstantHasAJavaTwin() throws IllegalAccessException {
        Map<String, Object> javaConstants = javaConstants();
        List<String> missing = new ArrayList<>();
        header.constants().forEach((name, value) -> {
            if (name.startsWith(PREFIX) && !javaConstants.containsKey(name.substring(PREFIX.length()))) {
                missing.add(name + " = " + value);
            }
        });
        assertThat(missing).as("kchan.h constants with no KchanProtocol field").isEmpty();
    }

    @Test
    void commandEnumMirrorsEnumKchanCmd() {
        assertEnumMirrors("kchan_cmd", "KCHAN_CMD_", Command.values(), Command::id);
    }

    @Test
    void attributeEnumMirrorsEnumKchanAttr() {
        assertEnumMirrors("kchan_attr", "KCHAN_ATTR_", KchanAttribute.values(), KchanAttribute::id);
    }

    @Test
    void eventTypeEnumMirrorsEnumKchanEventType() {
        assertEnumMirrors("kchan_event_type", "KCHAN_EVENT_", EventType.values(), EventType::id);
    }

    @Test
    void transportIdEnumMirrorsEnumKchanTransport() {
        assertEnumMirrors("kchan_transport", "KCHAN_TRANSPORT_", TransportId.values(), TransportId::id);
    }

    @Test
    void codecHeaderLayoutMatchesStructKchanHdr() throws ReflectiveOperationException {
        Map<String, Integer> sizes = Map.of("__u8", 1, "__s8", 1, "__u16", 2, "__s16", 2, "__u32", 4, "__s32", 4,
                "__u64", 8, "__s64", 8);
        int offset = 0;
        for (UapiHeader.Field field : header.structs().get("kchan_hdr")) {
            Integer size = sizes.get(field.type());
            assertThat(size).as("size of C type %s", field.type()).isNotNull();
            offset = (offset + size - 1) / size * size;
            Field javaOffset = MessageCodec.class.getDeclaredField("OFFSET_" + field.name().toUpperCase(Locale.ROOT));
            assertThat(javaOffset.getInt(null)).as("offset of kchan_hdr.%s", field.name()).isEqualTo(offset);
            offset += size;
        }
        assertThat(offset).as("sizeof(struct kchan_hdr)").isEqualTo(KchanProtocol.HDR_LEN);
    }

    @Test
    void encoderWritesEachHeaderFieldAtItsCOffset() {
        KchanMessage message = KchanMessage.builder(0x0102).flags(0x0304).seq(0x05060708).status(-9).build();
        ByteBuffer bytes = MessageCodec.encode(message).order(ByteOrder.nativeOrder());
        assertThat(bytes.getShort(MessageCodec.OFFSET_CMD)).isEqualTo((short) 0x0102);
        assertThat(bytes.getShort(MessageCodec.OFFSET_FLAGS)).isEqualTo((short) 0x0304);
        assertThat(bytes.getInt(MessageCodec.OFFSET_SEQ)).isEqualTo(0x05060708);
        assertThat(bytes.getInt(MessageCodec.OFFSET_STATUS)).isEqualTo(-9);
        assertThat(bytes.getInt(MessageCodec.OFFSET_LEN)).isEqualTo(KchanProtocol.HDR_LEN);
    }

    private static <E extends Enum<E>> void assertEnumMirrors(
            String cEnum, String cPrefix, E[] javaValues, ToIntFunction<E> id) {
        Map<String, Long> expected = new LinkedHashMap<>();
        header.enums().get(cEnum).forEach((name, value) -> {
            if (!name.startsWith("__")) {
                expected.put(name, value);
            }
        });
        Map<String, Long> actual = new LinkedHashMap<>();
        for (E value : javaValues) {
            if (!value.name().equals("UNRECOGNIZED")) {
                actual.put(cPrefix + value.name(), (long) id.applyAsInt(value));
            }
        }
        assertThat(actual).as("Java enum for enum %s", cEnum).containsExactlyInAnyOrderEntriesOf(expected);
    }

    private static Map<String, Object> javaConstants() throws IllegalAccessException {
        Map<String, Object> constants = new TreeMap<>();
        for (Field field : KchanProtocol.class.getDeclaredFields()) {
            int modifiers = field.getModifiers();
            if (Modifier.isPublic(modifiers) && Modifier.isStatic(modifiers) && Modifier.isFinal(modifiers)) {
                constants.put(field.getName(), field.get(null));
            }
        }
        return constants;
    }
}
