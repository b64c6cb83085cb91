package bragg.worker.model;

import bragg.worker.model.ops.KernelProvider;

import java.util.List;

/** Validation helpers for the model configs: each error names the config and the field. */
final class Check {
    private Check() {
    }

    static void positive(String config, String field, double value) {
        if (!(value > 0)) {
            throw new IllegalArgumentException(config + "." + field + " must be > 0; found " + value);
        }
    }

    static void nonNegative(String config, String field, double value) {
        if (!(value >= 0)) {
            throw new IllegalArgumentException(config + "." + field + " must be >= 0; found " + value);
        }
    }

    static void oneOf(String config, String field, String value, List<String> allowed) {
        if (value == null || !allowed.contains(value)) {
            throw new IllegalArgumentException(config + "." + field + " = '" + value + "' is not one of " + allowed);
        }
    }

    static void divisible(String config, String field, int value, String byField, int by) {
        if (by <= 0 || value % by != 0) {
            throw new IllegalArgumentException(config + "." + field + " = " + value + " is not divisible by " + config + "."
                    + byField + " = " + by);
        }
    }

    /** positions is "learned" or "sinusoidal"; the 2-D sinusoids need dim % 4 == 0. */
    static void positions(String config, String positions, int dim) {
        oneOf(config, "positions", positions, List.of("learned", "sinusoidal"));
        if (positions.equals("sinusoidal") && dim % 4 != 0) {
            throw new IllegalArgumentException(config + ".dim = " + dim + " must be divisible by 4 for 2-D sinusoidal positions");
        }
    }

    static void device(String config, String value) {
        KernelProvider.checkDevice(config + ".attentionDevice", value);
    }

    static void dataType(String config, String value) {
        oneOf(config, "dataType", value, List.of("float", "double"));
    }
}
