// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.MalformedMessageException;
import dev.kchannel.api.error.MalformedMessageException.Reason;
import dev.kchannel.api.message.Attribute;
import dev.kchannel.api.message.Command;
import dev.kchannel.api.message.KchanMessage;
import dev.kchannel.api.message.KchanProtocol;
import dev.kchannel.api.message.KchanRequests;
import dev.kchannel.api.message.ListEntry;
import dev.kchannel.api.message.ListPart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Paging by cursor yields every entry once, in order, sending no request before it is needed. */
class CursorPagedDumpTest {

    /** A store that answers LIST with at most {@code pageSize} entries after the cursor. */
    private static final class PagedStore implements UnaryOperator<KchanMessage> {
        private final TreeMap<String, String> entries = new TreeMap<>();
        private final int pageSize;
        private final List<KchanMessage> requests = new ArrayList<>();

        PagedStore(int count, int pageSize) {
            for (int i = 0; i < count; i++) {
                entries.put(String.format("key-%04d", i), "value-" + i);
            }
            this.pageSize = pageSize;
        }

        @Override
        public KchanMessage apply(KchanMessage request) {
            requests.add(request);
            Optional<String> cursor = request.attributes().first(KchanProtocol.ATTR_CURSOR)
                    .map(attribute -> new String(attribute.bytes(), StandardCharsets.UTF_8));
            List<String> keys = (cursor.isPresent() ? entries.tailMap(cursor.get(), false) : entries)
                    .keySet().stream().limit(pageSize).collect(Collectors.toList());
            KchanMessage.Builder part = KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY);
            for (String key : keys) {
                part.nested(KchanProtocol.ATTR_ENTRY,
                        Attribute.bytes(KchanProtocol.ATTR_KEY, key.getBytes(StandardCharsets.UTF_8)),
                        Attribute.bytes(KchanProtocol.ATTR_VALUE, entries.get(key).getBytes(StandardCharsets.UTF_8)));
            }
            String last = keys.isEmpty() ? null : keys.get(keys.size() - 1);
            if (last != null && entries.higherKey(last) != null) {
                part.addFlags(KchanProtocol.F_MORE).bytes(KchanProtocol.ATTR_CURSOR, last.getBytes(StandardCharsets.UTF_8));
            }
            return part.build();
        }
    }

    @Test
    void everyEntryArrivesOnceInOrderAcrossParts() {
        PagedStore store = new PagedStore(1500, 64);

        List<String> keys;
        try (Stream<KchanMessage> parts = CursorPagedDump.stream(KchanRequests.list(), store)) {
            keys = parts.map(ListPart::from)
                    .flatMap(part -> part.entries().stream())
                    .map(ListEntry::keyAsString)
                    .collect(Collectors.toList());
        }

        assertThat(keys).hasSize(1500).isSorted().doesNotHaveDuplicates();
        assertThat(store.requests).hasSize((1500 + 63) / 64);
        assertThat(store.requests.get(0).attributes().contains(KchanProtocol.ATTR_CURSOR)).isFalse();
        assertThat(store.requests.get(1).attributes().require(KchanProtocol.ATTR_CURSOR).string()).isEqualTo("key-0063");
    }

    @Test
    void nothingIsSentUntilTheStreamIsRead() {
        PagedStore store = new PagedStore(10, 3);

        try (Stream<KchanMessage> parts = CursorPagedDump.stream(KchanRequests.list(), store)) {
            assertThat(store.requests).isEmpty();
            assertThat(parts.findFirst()).isPresent();
        }
        assertThat(store.requests).hasSize(1);
    }

    @Test
    void aCursorThatDoesNotAdvanceIsRefusedInsteadOfLoopingForever() {
        KchanMessage stuck = KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY | KchanProtocol.F_MORE)
                .bytes(KchanProtocol.ATTR_CURSOR, new byte[] {'a'}).build();

        assertThatThrownBy(() -> CursorPagedDump.stream(KchanRequests.list(), request -> stuck).count())
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.UNEXPECTED_MESSAGE));
    }

    @Test
    void morePartsWithoutACursorIsMalformed() {
        KchanMessage noCursor = KchanMessage.builder(Command.LIST).flags(KchanProtocol.F_REPLY | KchanProtocol.F_MORE).build();

        assertThatThrownBy(() -> CursorPagedDump.stream(KchanRequests.list(), request -> noCursor).count())
                .isInstanceOfSatisfying(MalformedMessageException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.MISSING_ATTRIBUTE));
    }
}
