// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a C reader for {@code kchan.h}: {@code #define NAME value} lines, enum members
 * (explicit {@code NAME = value} or implicit, counting on from the previous one) and the fields of
 * structs. Values may be numbers, string literals, or small expressions over earlier names such as
 * {@code (__KCHAN_CMD_MAX - 1)}. Anything it cannot read fails loudly, so the header stays simple.
 */
final class UapiHeader {

    /** A struct field: its C type and name, in declaration order. */
    record Field(String type, String name) {
    }

    private static final Pattern DEFINE = Pattern.compile("#\\s*define\\s+(\\w+)(?:\\s+(.+))?");
    private static final Pattern ENUM_START = Pattern.compile("enum\\s+(\\w+)\\s*\\{");
    private static final Pattern STRUCT_START = Pattern.compile("struct\\s+(\\w+)\\s*\\{");
    private static final Pattern ENUM_MEMBER = Pattern.compile("(\\w+)\\s*(?:=\\s*([^,]+))?,?");
    private static final Pattern STRUCT_FIELD = Pattern.compile("(\\w+)\\s+(\\w+)\\s*;");

    private final Map<String, Object> constants = new LinkedHashMap<>();
    private final Map<String, Map<String, Long>> enums = new LinkedHashMap<>();
    private final Map<String, List<Field>> structs = new LinkedHashMap<>();

    private UapiHeader() {
    }

    static UapiHeader parse(Path path) throws IOException {
        UapiHeader header = new UapiHeader();
        header.read(stripComments(Files.readString(path, StandardCharsets.UTF_8)));
        return header;
    }

    /** Every named constant, {@code #define}s and enum members alike: Long or String values. */
    Map<String, Object> constants() {
        return Collections.unmodifiableMap(constants);
    }

    /** The members of each enum, in order. */
    Map<String, Map<String, Long>> enums() {
        return Collections.unmodifiableMap(enums);
    }

    /** The fields of each struct, in order. */
    Map<String, List<Field>> structs() {
        return Collections.unmodifiableMap(structs);
    }

    private void read(String source) {
        String openEnum = null;
        String openStruct = null;
        long next = 0;
        int lineNumber = 0;
        for (String raw : source.split("\n", -1)) {
            lineNumber++;
            String line = raw.trim();
            if (line.isEmpty()) {
                continue;
            }
            if (openEnum != null) {
                if (line.startsWith("}")) {
                    openEnum = null;
                    continue;
                }
                Matcher member = ENUM_MEMBER.matcher(line);
                if (!member.matches()) {
                    throw new IllegalStateException("line " + lineNumber + ": cannot read enum member: " + raw);
                }
                long value = member.group(2) == null ? next : (Long) evaluate(member.group(2), lineNumber);
                enums.get(openEnum).put(member.group(1), value);
                constants.put(member.group(1), value);
                next = value + 1;
                continue;
            }
            if (openStruct != null) {
                if (line.startsWith("}")) {
                    openStruct = null;
                    continue;
                }
                Matcher field = STRUCT_FIELD.matcher(line);
                if (!field.matches()) {
                    throw new IllegalStateException("line " + lineNumber + ": cannot read struct field: " + raw);
                }
                structs.get(openStruct).add(new Field(field.group(1), field.group(2)));
                continue;
            }
            Matcher define = DEFINE.matcher(line);
            if (define.matches()) {
                if (define.group(2) != null) {
                    constants.put(define.group(1), evaluate(define.group(2).trim(), lineNumber));
                }
                continue;
            }
            Matcher enumStart = ENUM_START.matcher(line);
            if (enumStart.matches()) {
                openEnum = enumStart.group(1);
                enums.put(openEnum, new LinkedHashMap<>());
                next = 0;
                continue;
            }
            Matcher structStart = STRUCT_START.matcher(line);
            if (structStart.matches()) {
                openStruct = structStart.group(1);
                structs.put(openStruct, new ArrayList<>());
            }
            // #include, #ifndef, #endif and the like carry no constants.
        }
    }

    private Object evaluate(String expression, int lineNumber) {
        String text = expression.trim();
        if (text.startsWith("\"")) {
            if (!text.endsWith("\"") || text.length() < 2 || text.indexOf('"', 1) != text.length() - 1) {
                throw new IllegalStateException("line " + lineNumber + ": cannot read string " + expression);
            }
            return text.substring(1, text.length() - 1);
        }
        return new Expression(text, lineNumber).parse();
    }

    private static String stripComments(String source) {
        String noBlock = Pattern.compile("/\\*.*?\\*/", Pattern.DOTALL)
                .matcher(source)
                .replaceAll(match -> "\n".repeat((int) match.group().chars().filter(c -> c == '\n').count()));
        return noBlock.replaceAll("//[^\n]*", "");
    }

    /** Integer expressions: numbers, earlier names, parentheses, + - | << >>. */
    private final class Expression {
        private final String text;
        private final int lineNumber;
        private int position;

        Expression(String text, int lineNumber) {
            this.text = text;
            this.lineNumber = lineNumber;
        }

        Long parse() {
            long value = or();
            skipSpaces();
            if (position != text.length()) {
                throw error();
            }
            return value;
        }

        private long or() {
            long value = shift();
            while (take("|")) {
                value |= shift();
            }
            return value;
        }

        private long shift() {
            long value = additive();
            while (true) {
                if (take("<<")) {
                    value <<= additive();
                } else if (take(">>")) {
                    value >>= additive();
                } else {
                    return value;
                }
            }
        }

        private long additive() {
            long value = primary();
            while (true) {
                if (take("+")) {
                    value += primary();
                } else if (take("-")) {
                    value -= primary();
                } else {
                    return value;
                }
            }
        }

        private long primary() {
            skipSpaces();
            if (take("(")) {
                long value = or();
                if (!take(")")) {
                    throw error();
                }
                return value;
            }
            int start = position;
            while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
                position++;
            }
            String token = text.substring(start, position);
            if (token.isEmpty()) {
                throw error();
            }
            if (Character.isDigit(token.charAt(0))) {
                String digits = token.replaceAll("[uUlL]+$", "");
                return digits.startsWith("0x") || digits.startsWith("0X")
                        ? Long.parseLong(digits.substring(2), 16)
                        : Long.parseLong(digits);
            }
            if (token.startsWith("_IO") && take("(")) {
                return ioctlCode(token);
            }
            Object known = constants.get(token);
            if (!(known instanceof Long)) {
                throw new IllegalStateException("line " + lineNumber + ": '" + token + "' is not an earlier integer constant");
            }
            return (Long) known;
        }

        /**
         * {@code _IO(type, nr)}, {@code _IOR/_IOW/_IOWR(type, nr, struct name)} with the generic
         * layout (nr bits 0-7, type 8-15, size 16-29, direction 30-31: 1 write, 2 read) and the
         * size of a struct read earlier, naturally aligned as the C compiler lays it out.
         */
        private long ioctlCode(String macro) {
            long direction = switch (macro) {
                case "_IO" -> 0;
                case "_IOW" -> 1;
                case "_IOR" -> 2;
                case "_IOWR" -> 3;
                default -> throw error();
            };
            long type = or();
            if (!take(",")) {
                throw error();
            }
            long number = or();
            long size = 0;
            if (direction != 0) {
                if (!take(",") || !take("struct")) {
                    throw error();
                }
                skipSpaces();
                int start = position;
                while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '_')) {
                    position++;
                }
                size = structSize(text.substring(start, position));
            }
            if (!take(")")) {
                throw error();
            }
            return direction << 30 | size << 16 | type << 8 | number;
        }

        private long structSize(String name) {
            List<Field> fields = structs.get(name);
            if (fields == null) {
                throw new IllegalStateException("line " + lineNumber + ": struct " + name + " is not declared earlier");
            }
            long offset = 0;
            long alignment = 1;
            for (Field field : fields) {
                long size = Long.parseLong(field.type().replaceAll("\\D", "")) / 8;
                offset = (offset + size - 1) / size * size + size;
                alignment = Math.max(alignment, size);
            }
            return (offset + alignment - 1) / alignment * alignment;
        }

        private boolean take(String symbol) {
            skipSpaces();
            if (text.startsWith(symbol, position)) {
                position += symbol.length();
                return true;
            }
            return false;
        }

        private void skipSpaces() {
            while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
                position++;
            }
        }

        private IllegalStateException error() {
            return new IllegalStateException("line " + lineNumber + ": cannot evaluate '" + text + "' at column " + position);
        }
    }
}
