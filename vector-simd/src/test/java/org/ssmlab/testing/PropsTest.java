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
}
