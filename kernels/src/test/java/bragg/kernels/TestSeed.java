package bragg.kernels;

/**
 * The seed of this test JVM's random inputs: {@code -Dbragg.test.seed=N} replays a run, otherwise
 * a fresh one is drawn. Printed once, so a failure in CI can be replayed locally.
 */
final class TestSeed {
    static final String PROPERTY = "bragg.test.seed";
    static final long SEED = draw();

    private TestSeed() {
    }

    private static long draw() {
        String given = System.getProperty(PROPERTY);
        long seed;
        try {
            seed = given == null || given.isBlank() ? System.nanoTime() : Long.parseLong(given.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-D" + PROPERTY + " must be a long, found '" + given + "'", e);
        }
        System.out.println("random inputs from seed " + seed + " (replay: mvn test -D" + PROPERTY + "=" + seed + ")");
        return seed;
    }
}
