package bragg.driver.spark;

import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;

/** The GPU Spark assigned a task, as the kernels open it: training replicas and scoring tasks alike. */
public final class TaskGpu {
    private TaskGpu() {
    }

    /**
     * The GPU Spark gave this task (spark.task.resource.gpu.amount=1 and a discovery script), as
     * an index, or null when the task has none. An address that is not an index is an error: the
     * kernels open OpenCL GPUs by index.
     */
    public static Integer assigned(TaskContext ctx) {
        ResourceInformation gpu = ctx.resourcesJMap().get("gpu");
        if (gpu == null || gpu.addresses().length == 0) {
            return null;
        }
        String address = gpu.addresses()[0];
        try {
            return Integer.parseInt(address.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("task " + ctx.partitionId() + " was assigned GPU address '" + address
                    + "'; bragg opens OpenCL GPUs by index, so the GPU discovery script must print indices (0, 1, ...)");
        }
    }
}
