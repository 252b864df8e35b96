// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.api.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kchannel.api.error.FieldLimitException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Each request carries the command and attributes the header documents, within its limits. */
class KchanRequestsTest {

    @Test
    void echoCarriesThePayload() {
        KchanMessage echo = KchanRequests.echo(new byte[] {1, 2});

        assertThat(echo.command()).isEqualTo(Command.ECHO);
        assertThat(echo.attributes().require(KchanProtocol.ATTR_PAYLOAD).bytes()).containsExactly(1, 2);
        assertThat(echo.seq()).isZero();
        assertThat(echo.flags()).isZero();
    }

    @Test
    void setGetDeleteCarryKeyAndValueWithUtf8Keys() {
        KchanMessage set = KchanRequests.set("clé", "valeur");
        KchanMessage get = KchanRequests.get("clé");
        KchanMessage delete = KchanRequests.delete("clé".getBytes(StandardCharsets.UTF_8));
        byte[] utf8Key = "clé".getBytes(StandardCharsets.UTF_8);

        assertThat(set.command()).isEqualTo(Command.SET);
        assertThat(set.attributes().require(KchanProtocol.ATTR_KEY).bytes()).isEqualTo(utf8Key);
        assertThat(set.attributes().require(KchanProtocol.ATTR_VALUE).bytes())
                .isEqualTo("valeur".getBytes(StandardCharsets.UTF_8));
        assertThat(get.command()).isEqualTo(Command.GET);
        assertThat(get.attributes().require(KchanProtocol.ATTR_KEY).bytes()).isEqualTo(utf8Key);
        assertThat(delete.command()).isEqualTo(Command.DELETE);
        assertThat(delete.attributes().require(KchanProtocol.ATTR_KEY).bytes()).isEqualTo(utf8Key);
    }

    @Test
    void listStatsAndGeneratorRequests() {
        assertThat(KchanRequests.list().attributes().isEmpty()).isTrue();
        assertThat(KchanRequests.list(new byte[] {'k'}).attributes().require(KchanProtocol.ATTR_CURSOR).bytes())
                .containsExactly('k');
        assertThat(KchanRequests.stats().command()).isEqualTo(Command.STATS);
        assertThat(KchanRequests.genStop().command()).isEqualTo(Command.GEN_STOP);

        KchanMessage start = KchanRequests.genStart(100, 64, 1000);
        assertThat(start.command()).isEqualTo(Command.GEN_START);
        assertThat(start.attributes().require(KchanProtocol.ATTR_COUNT).u64()).isEqualTo(100);
        assertThat(start.attributes().require(KchanProtocol.ATTR_SIZE).u32()).isEqualTo(64);
        assertThat(start.attributes().require(KchanProtocol.ATTR_RATE).u32()).isEqualTo(1000);
        assertThat(KchanRequests.genStart(1, 1).attributes().contains(KchanProtocol.ATTR_RATE)).isFalse();
    }

    @Test
    void keysMustBeOneToSixtyFourBytes() {
        assertThat(KchanRequests.get(new byte[KchanProtocol.KEY_MAX])).isNotNull();
        assertThatThrownBy(() -> KchanRequests.set(new byte[KchanProtocol.KEY_MAX + 1], new byte[0]))
                .isInstanceOfSatisfying(FieldLimitException.class, e -> {
                    assertThat(e.field()).isEqualTo("KEY");
                    assertThat(e.size()).isEqualTo(65);
                })
                .hasMessage("KEY is 65 bytes; it must be 1..64 bytes");
        assertThatThrownBy(() -> KchanRequests.get("")).isInstanceOf(FieldLimitException.class)
                .hasMessage("KEY is 0 bytes; it must be 1..64 bytes");
        assertThatThrownBy(() -> KchanRequests.list(new byte[0])).isInstanceOf(FieldLimitException.class)
                .hasMessageStartingWith("CURSOR is 0 bytes");
    }

    @Test
    void valuesAndPayloadsMustFitOneAttribute() {
        assertThat(KchanRequests.set("k", new byte[KchanProtocol.VALUE_MAX])).isNotNull();
        assertThatThrownBy(() -> KchanRequests.set("k", new byte[KchanProtocol.VALUE_MAX + 1]))
                .isInstanceOf(FieldLimitException.class)
                .hasMessage("VALUE is 65457 bytes; it must be at most 65456 bytes");
        assertThatThrownBy(() -> KchanRequests.echo(new byte[KchanProtocol.PAYLOAD_MAX + 1]))
                .isInstanceOf(FieldLimitException.class)
                .hasMessageStartingWith("PAYLOAD is 65532 bytes");
        assertThatThrownBy(() -> KchanRequests.genStart(1, KchanProtocol.PAYLOAD_MAX + 1))
                .isInstanceOf(FieldLimitException.class).hasMessageStartingWith("SIZE");
        assertThatThrownBy(() -> KchanRequests.genStart(-1, 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("COUNT");
    }

    @Test
    void theRawBuilderCanStillMakeRequestsTheKernelMustRefuse() {
        KchanMessage tooLongKey = KchanMessage.builder(Command.SET)
                .bytes(KchanProtocol.ATTR_KEY, new byte[KchanProtocol.KEY_MAX + 1])
                .bytes(KchanProtocol.ATTR_VALUE, new byte[1])
                .build();

        assertThat(tooLongKey.attributes().require(KchanProtocol.ATTR_KEY).length()).isEqualTo(65);
    }
}
