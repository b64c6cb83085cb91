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

    static void device(String config, String value) {
        KernelProvider.checkDevice(config + ".attentionDevice", value);
    }

    static void dataType(String config, String value) {
        oneOf(config, "dataType", value, List.of("float", "double"));
    }
}
