// SPDX-License-Identifier: Apache-2.0
package dev.kchannel.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The PNG chart of BENCHMARKS.md: for every case, one horizontal bar per peer giving the SDK's
 * ratio to it, on a logarithmic axis (the ratios span from a few hundredths to tens), with the
 * issue's thresholds drawn as dashed lines. Plain Java 2D, headless.
 */
final class RatioChart {

    private static final int WIDTH = 1100;
    private static final int LEFT = 230;
    private static final int RIGHT = 40;
    private static final int TOP = 60;
    private static final int BAR = 11;
    private static final int GROUP_GAP = 8;
    private static final double MIN = 0.01;
    private static final double MAX = 100;
    private static final double[] TICKS = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100};
    private static final double[] THRESHOLDS = {Targets.JAVA_C_REQUEST_REPLY, Targets.JAVA_C_STREAMING, 1,
        Targets.JAVA_PYROUTE2};
    private static final Map<String, Color> COLORS = Map.of(
            "c", new Color(0x1f77b4), "libnl", new Color(0x2ca02c), "pyroute2", new Color(0xd62728),
            NioClient.NAME, new Color(0x9467bd));
    private static final List<String> PEERS = List.of("c", "libnl", "pyroute2", NioClient.NAME);

    private RatioChart() {
    }

    static void write(Map<String, Map<String, Double>> ratios, String title, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        int bars = ratios.values().stream().mapToInt(Map::size).sum();
        int height = TOP + bars * BAR + ratios.size() * GROUP_GAP + 50;
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
            g.drawString(title, 10, 22);
            legend(g);
            int bottom = height - 40;
            axis(g, bottom);
            int y = TOP;
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (Map.Entry<String, Map<String, Double>> group : ratios.entrySet()) {
                g.setColor(Color.BLACK);
                int groupHeight = group.getValue().size() * BAR;
                g.drawString(group.getKey(), 8, y + groupHeight / 2 + 4);
                for (String peer : PEERS) {
                    Double r = group.getValue().get(peer);
                    if (r == null) {
                        continue;
                    }
                    g.setColor(COLORS.get(peer));
                    int x1 = x(Math.max(MIN, Math.min(MAX, r)));
                    g.fillRect(LEFT, y + 1, Math.max(1, x1 - LEFT), BAR - 2);
                    y += BAR;
                }
                y += GROUP_GAP;
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(png.toAbsolutePath().getParent());
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer in this JVM");
        }
    }

    private static void axis(Graphics2D g, int bottom) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (double t : TICKS) {
            int x = x(t);
            g.setColor(new Color(0xdddddd));
            g.drawLine(x, TOP - 5, x, bottom);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, t < 0.1 ? "%.2f" : t < 1 ? "%.1f" : "%.0f", t), x - 8, bottom + 15);
        }
        g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5, 4}, 0));
        g.setColor(Color.DARK_GRAY);
        for (double t : THRESHOLDS) {
            g.drawLine(x(t), TOP - 5, x(t), bottom);
        }
        g.setStroke(new BasicStroke(1));
        g.drawString("Java's ops/s over the peer's (log scale); dashed: targets 0.8, 0.9, 1 and 5", LEFT, bottom + 32);
    }

    private static void legend(Graphics2D g) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int x = LEFT;
        for (String peer : PEERS) {
            g.setColor(COLORS.get(peer));
            g.fillRect(x, 32, 14, 10);
            g.setColor(Color.BLACK);
            g.drawString("Java/" + (peer.equals("c") ? "C" : peer), x + 18, 42);
            x += 130;
        }
    }

    private static int x(double ratio) {
        double span = Math.log(MAX / MIN);
        return LEFT + (int) Math.round((WIDTH - LEFT - RIGHT) * Math.log(ratio / MIN) / span);
    }
}
