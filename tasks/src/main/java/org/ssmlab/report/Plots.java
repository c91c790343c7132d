package org.ssmlab.report;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * PNG charts with XChart, drawn headless (no display needed): line plots of several series, with an
 * optional logarithmic y axis, and grouped bar charts, optionally with error bars. Files are written with {@link BitmapEncoder}.
 */
public final class Plots {

    static {
        // Charts are drawn into images only; never ask for a display.
        System.setProperty("java.awt.headless", "true");
    }

    /** The default image size, pixels. */
    public static final int WIDTH = 800;
    public static final int HEIGHT = 500;

    private Plots() {
    }

    /** One named curve: y[i] at x[i]. */
    public record Series(String name, double[] x, double[] y) {

        /** Checks the name and that x and y have the same, non-zero length. */
        public Series {
            Objects.requireNonNull(name, "Plots.Series: name is null");
            if (x.length != y.length || x.length == 0) {
                throw new IllegalArgumentException("Plots.Series '" + name + "': x has " + x.length + " points, y has "
                        + y.length + "; they must be equal and non-zero");
            }
        }

        /** A series over x = 0, 1, ..., n-1. */
        public static Series of(String name, double[] y) {
            double[] x = new double[y.length];
            for (int i = 0; i < x.length; i++) {
                x[i] = i;
            }
            return new Series(name, x, y);
        }
    }

    /** A line chart's labels and options. */
    public record LineSpec(String title, String xLabel, String yLabel, boolean logY, boolean markers) {

        /** A linear-axis chart with markers. */
        public static LineSpec of(String title, String xLabel, String yLabel) {
            return new LineSpec(title, xLabel, yLabel, false, true);
        }

        /** The same chart with a logarithmic y axis. */
        public LineSpec withLogY() {
            return new LineSpec(title, xLabel, yLabel, true, markers);
        }

        /** The same chart without point markers (for long curves). */
        public LineSpec withoutMarkers() {
            return new LineSpec(title, xLabel, yLabel, logY, false);
        }
    }

    /**
     * Draws {@code series} as lines into {@code file} (a .png; the extension is added when missing) and
     * returns the file written. NaN points are left out of the line.
     *
     * @throws IllegalArgumentException with a log y axis, when a series has a finite value &lt;= 0
     */
    public static Path line(Path file, LineSpec spec, List<Series> series) throws IOException {
        if (series.isEmpty()) {
            throw new IllegalArgumentException("Plots.line '" + spec.title() + "': no series");
        }
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(spec.title())
                .xAxisTitle(spec.xLabel()).yAxisTitle(spec.yLabel()).build();
        Styler s = chart.getStyler();
        s.setLegendPosition(Styler.LegendPosition.OutsideE);
        s.setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setYAxisLogarithmic(spec.logY());
        for (Series ser : series) {
            if (spec.logY()) {
                for (int i = 0; i < ser.y().length; i++) {
                    double v = ser.y()[i];
                    if (Double.isFinite(v) && v <= 0) {
                        throw new IllegalArgumentException("Plots.line '" + spec.title() + "': series '" + ser.name()
                                + "' has y = " + v + " at point " + i + ", which a logarithmic axis cannot show");
                    }
                }
            }
            XYSeries xy = chart.addSeries(ser.name(), ser.x(), ser.y());
            xy.setMarker(spec.markers() ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
        }
        return save(file, chart);
    }

    /**
     * A grouped bar chart: one group per category, one bar per series ({@code values.get(s)[c]} is the
     * bar of series s in category c).
     */
    public static Path bars(Path file, String title, String xLabel, String yLabel, List<String> categories,
                            List<String> seriesNames, List<double[]> values) throws IOException {
        return bars(file, title, xLabel, yLabel, categories, seriesNames, values, null);
    }

    /**
     * A grouped bar chart with error bars: {@code errors.get(s)[c]} is the half-width drawn above and below
     * bar (s, c) (NaN draws none); {@code errors} null draws no error bars.
     */
    public static Path bars(Path file, String title, String xLabel, String yLabel, List<String> categories,
                            List<String> seriesNames, List<double[]> values, List<double[]> errors) throws IOException {
        return bars(file, title, xLabel, yLabel, categories, seriesNames, values, errors, Double.NaN, Double.NaN);
    }

    /**
     * As above, with the y axis fixed to [yMin, yMax] (NaN: chosen from the data), e.g. [0, 1] for an
     * accuracy, whose t interval over a few seeds can reach beyond the values an accuracy can take.
     */
    public static Path bars(Path file, String title, String xLabel, String yLabel, List<String> categories,
                            List<String> seriesNames, List<double[]> values, List<double[]> errors, double yMin,
                            double yMax) throws IOException {
        if (errors != null && errors.size() != values.size()) {
            throw new IllegalArgumentException("Plots.bars '" + title + "': " + errors.size() + " error rows for "
                    + values.size() + " value rows");
        }
        if (seriesNames.size() != values.size() || seriesNames.isEmpty()) {
            throw new IllegalArgumentException("Plots.bars '" + title + "': " + seriesNames.size() + " series names for "
                    + values.size() + " value rows (need equal, non-zero)");
        }
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle(xLabel).yAxisTitle(yLabel).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        if (!Double.isNaN(yMin)) {
            chart.getStyler().setYAxisMin(yMin);
        }
        if (!Double.isNaN(yMax)) {
            chart.getStyler().setYAxisMax(yMax);
        }
        for (int s = 0; s < seriesNames.size(); s++) {
            double[] v = values.get(s);
            if (v.length != categories.size()) {
                throw new IllegalArgumentException("Plots.bars '" + title + "': series '" + seriesNames.get(s) + "' has "
                        + v.length + " values for " + categories.size() + " categories");
            }
            List<Double> ys = new java.util.ArrayList<>();
            for (double d : v) {
                ys.add(d);
            }
            if (errors == null) {
                chart.addSeries(seriesNames.get(s), categories, ys);
            } else {
                if (errors.get(s).length != v.length) {
                    throw new IllegalArgumentException("Plots.bars '" + title + "': series '" + seriesNames.get(s) + "' has "
                            + errors.get(s).length + " error bars for " + v.length + " values");
                }
                List<Double> es = new java.util.ArrayList<>();
                for (double d : errors.get(s)) {
                    es.add(Double.isNaN(d) ? 0.0 : d);
                }
                chart.addSeries(seriesNames.get(s), categories, ys, es);
            }
        }
        return save(file, chart);
    }

    private static Path save(Path file, org.knowm.xchart.internal.chartpart.Chart<?, ?> chart) throws IOException {
        Path png = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? file
                : file.resolveSibling(file.getFileName() + ".png");
        Path parent = png.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        return png;
    }
}
