package org.jkn.telemetry.gateway.mqtt.impl;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Frames the raw byte stream ahead of the MQTT decoder and closes the connection, before anything
 * is allocated for it, on what the decoder would accept or wait for:
 *
 * <ul>
 *   <li>a first packet that is not CONNECT (MQTT 5 §3.1, [MQTT-3.1.0-1]; cf. CVE-2023-0809);
 *   <li>a Remaining Length longer than four bytes (MQTT 5 §1.5.5; cf. CVE-2026-21888);
 *   <li>a packet larger than the maximum, fixed header included (MQTT 5 §3.2.2.3.6 counts the whole
 *       packet; Netty's own limit counts only the Remaining Length), answered on MQTT 5 with
 *       DISCONNECT 0x95 Packet too large (§4.13);
 *   <li>a CONNECT not complete within the connect timeout, however slowly it trickles in.
 * </ul>
 *
 * It only reads headers and counts body bytes; buffers pass through unchanged, so several packets
 * in one TCP segment, or one packet over many, reach the decoder as sent.
 *
 * <p>One per connection, used on its event loop only (except {@link #mqtt5}, set once CONNECT is
 * read).
 */
final class PacketGuard extends ChannelInboundHandlerAdapter {

    private static final int CONNECT = 1;
    private static final int MAX_HEADER_BYTES = 5;
    private static final byte[] DISCONNECT_PACKET_TOO_LARGE = {(byte) 0xE0, 0x01, (byte) 0x95};

    private final long maxPacketBytes;
    private final long connectTimeoutMillis;
    private int headerBytes;
    private long remaining;
    private long multiplier;
    private long bodyLeft;
    private boolean firstPacketStarted;
    private boolean connectReceived;
    private boolean failed;
    private volatile boolean mqtt5;
    private ScheduledFuture<?> connectDeadline;

    PacketGuard(int maxPacketBytes, long connectTimeoutMillis) {
        this.maxPacketBytes = maxPacketBytes;
        this.connectTimeoutMillis = connectTimeoutMillis;
    }

    /**
     * Told once the CONNECT has been read, so an oversized packet can be answered in the client's
     * protocol.
     */
    void mqtt5(boolean v5) {
        this.mqtt5 = v5;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connectDeadline =
                ctx.executor()
                        .schedule(
                                () -> {
                                    if (!connectReceived) {
                                        failed = true;
                                        ChannelFuture unused = ctx.close();
                                    }
                                },
                                connectTimeoutMillis,
                                TimeUnit.MILLISECONDS);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelDeadline();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!(msg instanceof ByteBuf buf)) {
            ctx.fireChannelRead(msg);
            return;
        }
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end) {
            if (bodyLeft > 0) {
                int step = (int) Math.min(bodyLeft, end - i);
                i += step;
                bodyLeft -= step;
                if (bodyLeft == 0) {
                    packetEnded();
                }
                continue;
            }
            int b = buf.getUnsignedByte(i++);
            if (headerBytes == 0) {
                if (!firstPacketStarted && (b >> 4) != CONNECT) {
                    fail(ctx, buf, false);
                    return;
                }
                firstPacketStarted = true;
                headerBytes = 1;
                remaining = 0;
                multiplier = 1;
                continue;
            }
            remaining += (b & 0x7F) * multiplier;
            multiplier <<= 7;
            headerBytes++;
            if ((b & 0x80) != 0) {
                if (headerBytes == MAX_HEADER_BYTES) {
                    fail(ctx, buf, false);
                    return;
                }
                continue;
            }
            if (headerBytes + remaining > maxPacketBytes) {
                fail(ctx, buf, true);
                return;
            }
            headerBytes = 0;
            bodyLeft = remaining;
            if (bodyLeft == 0) {
                packetEnded();
            }
        }
        ctx.fireChannelRead(buf);
    }

    private void packetEnded() {
        if (!connectReceived) {
            connectReceived = true;
            cancelDeadline();
        }
    }

    private void fail(ChannelHandlerContext ctx, ByteBuf buf, boolean tooLarge) {
        failed = true;
        buf.release();
        cancelDeadline();
        if (tooLarge && mqtt5) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(DISCONNECT_PACKET_TOO_LARGE))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ChannelFuture unused = ctx.close();
        }
    }

    private void cancelDeadline() {
        if (connectDeadline != null) {
            connectDeadline.cancel(false);
            connectDeadline = null;
        }
    }
}
