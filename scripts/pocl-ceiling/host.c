// Times each kernel of kernels.cl on the first OpenCL device: T tiles of 64x64x64, 10 launches.
// Usage: host KERNEL [TILES]; prints GFLOP/s (2*64^3 per tile) and a checked element.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define CK(x) do { cl_int e_ = (x); if (e_) { fprintf(stderr, "%s: OpenCL error %d\n", #x, e_); exit(1); } } while (0)

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: host KERNEL [TILES]\n"); return 2; }
    const char *name = argv[1];
    int tiles = argc > 2 ? atoi(argv[2]) : 2048;
    int group = strcmp(name, "wg_4x4") == 0;    // the only kernel with a 16x16 work-group
    FILE *f = fopen("kernels.cl", "rb");
    if (!f) { perror("kernels.cl"); return 1; }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *src = malloc(n + 1);
    if (fread(src, 1, n, f) != (size_t) n) { perror("kernels.cl"); return 1; }
    src[n] = 0;
    cl_platform_id p;
    cl_device_id d;
    cl_int e;
    CK(clGetPlatformIDs(1, &p, NULL));
    CK(clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 1, &d, NULL));
    cl_context c = clCreateContext(NULL, 1, &d, NULL, NULL, &e); CK(e);
    cl_command_queue q = clCreateCommandQueue(c, d, 0, &e); CK(e);
    cl_program pr = clCreateProgramWithSource(c, 1, (const char **) &src, NULL, &e); CK(e);
    if (clBuildProgram(pr, 1, &d, "-cl-fast-relaxed-math", NULL, NULL)) {
        static char log[1 << 16];
        clGetProgramBuildInfo(pr, d, CL_PROGRAM_BUILD_LOG, sizeof log, log, NULL);
        fprintf(stderr, "%s\n", log);
        return 1;
    }
    cl_kernel k = clCreateKernel(pr, name, &e); CK(e);
    size_t elems = (size_t) tiles * 4096, bytes = elems * sizeof(float);
    float *A = malloc(bytes), *B = malloc(bytes), *C = malloc(bytes);
    for (size_t i = 0; i < elems; i++) { A[i] = (i % 7) * 0.1f; B[i] = (i % 5) * 0.2f; }
    cl_mem a = clCreateBuffer(c, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, A, &e); CK(e);
    cl_mem b = clCreateBuffer(c, CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, bytes, B, &e); CK(e);
    cl_mem out = clCreateBuffer(c, CL_MEM_WRITE_ONLY, bytes, NULL, &e); CK(e);
    CK(clSetKernelArg(k, 0, sizeof a, &a));
    CK(clSetKernelArg(k, 1, sizeof b, &b));
    CK(clSetKernelArg(k, 2, sizeof out, &out));
    size_t global[2] = {group ? 16 * (size_t) tiles : (size_t) tiles, group ? 16 : 1};
    size_t local[2] = {group ? 16 : 1, group ? 16 : 1};
    CK(clEnqueueNDRangeKernel(q, k, 2, NULL, global, local, 0, NULL, NULL));   // untimed: warms the device
    CK(clFinish(q));
    int reps = 10;
    double t0 = now();
    for (int r = 0; r < reps; r++) CK(clEnqueueNDRangeKernel(q, k, 2, NULL, global, local, 0, NULL, NULL));
    CK(clFinish(q));
    double dt = (now() - t0) / reps;
    CK(clEnqueueReadBuffer(q, out, CL_TRUE, 0, bytes, C, 0, NULL, NULL));
    double ref = 0;   // tile 3, element (5, 9) = sum_e A[5][e] B[9][e]
    for (int x = 0; x < 64; x++) ref += (double) A[3 * 4096 + 5 * 64 + x] * B[3 * 4096 + 9 * 64 + x];
    double got = C[3 * 4096 + 5 * 64 + 9];
    int ok = got > ref * (1 - 1e-5) - 1e-6 && got < ref * (1 + 1e-5) + 1e-6;
    printf("%-18s %8.1f GFLOP/s   check %s (%.5f vs %.5f)\n", name, 2.0 * tiles * 64 * 64 * 64 / dt / 1e9, ok ? "ok" : "FAILED", got, ref);
    return ok ? 0 : 1;
}
