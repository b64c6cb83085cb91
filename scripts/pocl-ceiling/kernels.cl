// What PoCL's compiler makes of one 64x64x64 tile product (C = A B^T per tile, T tiles), written
// three ways; see run. Generated once from a script, kept as plain text so it can be read.
//   wg_4x4           the shape Aparapi emits for bragg's kernel: a 16x16 work-group per tile,
//                    each work-item a 4x4 block of scalars, tiles in local memory
//   wi_loops         one work-item per tile, plain loops over a private accumulator row
//                    (left to LLVM's loop vectorizer)
//   explicit_float16 one work-item per tile, float16 accumulators (OpenCL vector types, which
//                    Aparapi's Java-to-OpenCL translation cannot express)

__kernel void wg_4x4(__global const float* A, __global const float* B, __global float* C) {
  __local float la[64*64]; __local float lb[64*64];
  int tb = get_local_id(0), ta = get_local_id(1), t = get_group_id(0); int a0 = ta*4; int lid = ta*16+tb;
  for (int i = lid; i < 4096; i += 256) { la[i] = A[t*4096 + i]; int r = i / 64, e = i % 64; lb[e*64 + r] = B[t*4096 + i]; }
  barrier(CLK_LOCAL_MEM_FENCE);
  float s00 = 0.f, s01 = 0.f, s02 = 0.f, s03 = 0.f;
  float s10 = 0.f, s11 = 0.f, s12 = 0.f, s13 = 0.f;
  float s20 = 0.f, s21 = 0.f, s22 = 0.f, s23 = 0.f;
  float s30 = 0.f, s31 = 0.f, s32 = 0.f, s33 = 0.f;
  for (int e = 0; e < 64; e++) {
    float qa0 = la[(a0+0)*64+e];
    float qa1 = la[(a0+1)*64+e];
    float qa2 = la[(a0+2)*64+e];
    float qa3 = la[(a0+3)*64+e];
    float b0 = lb[e*64+tb*4+0];
    float b1 = lb[e*64+tb*4+1];
    float b2 = lb[e*64+tb*4+2];
    float b3 = lb[e*64+tb*4+3];
    s00 += qa0*b0;
    s01 += qa0*b1;
    s02 += qa0*b2;
    s03 += qa0*b3;
    s10 += qa1*b0;
    s11 += qa1*b1;
    s12 += qa1*b2;
    s13 += qa1*b3;
    s20 += qa2*b0;
    s21 += qa2*b1;
    s22 += qa2*b2;
    s23 += qa2*b3;
    s30 += qa3*b0;
    s31 += qa3*b1;
    s32 += qa3*b2;
    s33 += qa3*b3;
  }
  C[t*4096 + (a0+0)*64 + tb*4+0] = s00;
  C[t*4096 + (a0+0)*64 + tb*4+1] = s01;
  C[t*4096 + (a0+0)*64 + tb*4+2] = s02;
  C[t*4096 + (a0+0)*64 + tb*4+3] = s03;
  C[t*4096 + (a0+1)*64 + tb*4+0] = s10;
  C[t*4096 + (a0+1)*64 + tb*4+1] = s11;
  C[t*4096 + (a0+1)*64 + tb*4+2] = s12;
  C[t*4096 + (a0+1)*64 + tb*4+3] = s13;
  C[t*4096 + (a0+2)*64 + tb*4+0] = s20;
  C[t*4096 + (a0+2)*64 + tb*4+1] = s21;
  C[t*4096 + (a0+2)*64 + tb*4+2] = s22;
  C[t*4096 + (a0+2)*64 + tb*4+3] = s23;
  C[t*4096 + (a0+3)*64 + tb*4+0] = s30;
  C[t*4096 + (a0+3)*64 + tb*4+1] = s31;
  C[t*4096 + (a0+3)*64 + tb*4+2] = s32;
  C[t*4096 + (a0+3)*64 + tb*4+3] = s33;
}

__kernel void wi_loops(__global const float* A, __global const float* B, __global float* C) {
  int t = get_group_id(0);
  __local float bt[64*64];
  for (int i = 0; i < 4096; i++) { int r = i / 64, e = i % 64; bt[e*64 + r] = B[t*4096 + i]; }
  for (int r0 = 0; r0 < 64; r0 += 4) {
    float acc[4][64];
    for (int r = 0; r < 4; r++) for (int c = 0; c < 64; c++) acc[r][c] = 0.f;
    for (int e = 0; e < 64; e++) {
      for (int r = 0; r < 4; r++) {
        float a = A[t*4096 + (r0+r)*64 + e];
        for (int c = 0; c < 64; c++) acc[r][c] += a * bt[e*64 + c];
      }
    }
    for (int r = 0; r < 4; r++) for (int c = 0; c < 64; c++) C[t*4096 + (r0+r)*64 + c] = acc[r][c];
  }
}

__kernel void explicit_float16(__global const float* A, __global const float* B, __global float* C) {
  int t = get_group_id(0);
  __local float bt[64*64];
  for (int i = 0; i < 4096; i++) { int r = i / 64, e = i % 64; bt[e*64 + r] = B[t*4096 + i]; }
  for (int r0 = 0; r0 < 64; r0 += 4) {
    float16 s00 = 0, s01 = 0, s02 = 0, s03 = 0;
    float16 s10 = 0, s11 = 0, s12 = 0, s13 = 0;
    float16 s20 = 0, s21 = 0, s22 = 0, s23 = 0;
    float16 s30 = 0, s31 = 0, s32 = 0, s33 = 0;
    for (int e = 0; e < 64; e++) {
      float16 b0 = vload16(0, bt + e*64 + 0);
      float16 b1 = vload16(0, bt + e*64 + 16);
      float16 b2 = vload16(0, bt + e*64 + 32);
      float16 b3 = vload16(0, bt + e*64 + 48);
      float a0 = A[t*4096 + (r0+0)*64 + e];
      s00 = fma((float16)(a0), b0, s00);
      s01 = fma((float16)(a0), b1, s01);
      s02 = fma((float16)(a0), b2, s02);
      s03 = fma((float16)(a0), b3, s03);
      float a1 = A[t*4096 + (r0+1)*64 + e];
      s10 = fma((float16)(a1), b0, s10);
      s11 = fma((float16)(a1), b1, s11);
      s12 = fma((float16)(a1), b2, s12);
      s13 = fma((float16)(a1), b3, s13);
      float a2 = A[t*4096 + (r0+2)*64 + e];
      s20 = fma((float16)(a2), b0, s20);
      s21 = fma((float16)(a2), b1, s21);
      s22 = fma((float16)(a2), b2, s22);
      s23 = fma((float16)(a2), b3, s23);
      float a3 = A[t*4096 + (r0+3)*64 + e];
      s30 = fma((float16)(a3), b0, s30);
      s31 = fma((float16)(a3), b1, s31);
      s32 = fma((float16)(a3), b2, s32);
      s33 = fma((float16)(a3), b3, s33);
    }
    vstore16(s00, 0, C + t*4096 + (r0+0)*64 + 0);
    vstore16(s01, 0, C + t*4096 + (r0+0)*64 + 16);
    vstore16(s02, 0, C + t*4096 + (r0+0)*64 + 32);
    vstore16(s03, 0, C + t*4096 + (r0+0)*64 + 48);
    vstore16(s10, 0, C + t*4096 + (r0+1)*64 + 0);
    vstore16(s11, 0, C + t*4096 + (r0+1)*64 + 16);
    vstore16(s12, 0, C + t*4096 + (r0+1)*64 + 32);
    vstore16(s13, 0, C + t*4096 + (r0+1)*64 + 48);
    vstore16(s20, 0, C + t*4096 + (r0+2)*64 + 0);
    vstore16(s21, 0, C + t*4096 + (r0+2)*64 + 16);
    vstore16(s22, 0, C + t*4096 + (r0+2)*64 + 32);
    vstore16(s23, 0, C + t*4096 + (r0+2)*64 + 48);
    vstore16(s30, 0, C + t*4096 + (r0+3)*64 + 0);
    vstore16(s31, 0, C + t*4096 + (r0+3)*64 + 16);
    vstore16(s32, 0, C + t*4096 + (r0+3)*64 + 32);
    vstore16(s33, 0, C + t*4096 + (r0+3)*64 + 48);
  }
}

