package org.ssmlab.testing;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.generators.SourceDSL.integers;

import org.junit.jupiter.api.Test;

class PropsTest {

    @Test
    void aNegativeControlReportsTheFalsifyingSample() {
        String report = Props.expectFalsified(() -> Props.qt(100)
                .forAll(integers().between(0, 1000))
                .check(i -> i < 500));
        assertTrue(report.contains("500"), "shrunk to the smallest counter-example: " + report);
    }

    @Test
    void aNegativeControlThatHoldsIsItselfAFailure() {
        assertThrows(AssertionError.class, () -> Props.expectFalsified(() -> Props.qt(50)
                .forAll(integers().between(0, 10))
                .check(i -> i >= 0)));
    }

    @Test
    void aNegativeControlPassesOnlyForTheNamedInequality() {
        String report = Props.expectViolation("i < 500", () -> Props.qt(100)
                .forAll(integers().between(0, 1000))
                .checkAssert(i -> Violation.check(i < 500, "i < 500", "i = " + i)));
        assertTrue(report.contains("500"), report);
    }

    @Test
    void aNegativeControlThatTripsAnotherAssertionIsAFailure() {
        AssertionError e = assertThrows(AssertionError.class, () -> Props.expectViolation("i < 500", () -> Props.qt(100)
                .forAll(integers().between(0, 1000))
                .checkAssert(i -> {
                    if (i > 100) {
                        throw new AssertionError("generator guard: i > 100");
                    }
                    Violation.check(i < 500, "i < 500", "i = " + i);
                })));
        assertTrue(e.getMessage().contains("another reason") && e.getMessage().contains("generator guard"), e.getMessage());
    }

    @Test
    void aNegativeControlThatViolatesAnotherInequalityIsAFailure() {
        AssertionError e = assertThrows(AssertionError.class, () -> Props.expectViolation("i < 500", () -> Props.qt(100)
                .forAll(integers().between(0, 1000))
                .checkAssert(i -> Violation.check(i < 50, "i < 50", "i = " + i))));
        assertTrue(e.getMessage().contains("another reason") && e.getMessage().contains("[i < 50]"), e.getMessage());
        assertThrows(AssertionError.class, () -> Props.expectViolation("x", () -> Violation.check(false, "y", "direct")));
        assertThrows(AssertionError.class, () -> Props.expectViolation("x", () -> Props.qt(20)
                .forAll(integers().between(0, 10)).checkAssert(i -> Violation.check(true, "x", ""))));
    }
}
