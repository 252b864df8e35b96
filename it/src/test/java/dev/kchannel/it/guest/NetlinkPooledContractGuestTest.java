// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.it.guest;

import dev.kchannel.api.config.KchannelConfig;
import java.time.Duration;

/**
 * The contract kit against the netlink transport with {@code kchannel.netlink.sockets=pooled}: a
 * socket per call in progress, as before calls were multiplexed on one socket, which
 * {@link NetlinkContractGuestTest} covers. Both ways to reach the kernel keep the same promises.
 */
class NetlinkPooledContractGuestTest extends NetlinkContractGuestTest {

    @Override
    protected KchannelConfig config() {
        return KchannelConfig.builder().transport("netlink").callTimeout(Duration.ofSeconds(5))
                .setting("netlink", "sockets", "pooled").build();
    }
}
