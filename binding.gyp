{
  # The twin native addon. Builds against Debian's libtorch by default; set
  # LIBTORCH=/path/to/libtorch (an official archive or a pip torch's `torch/`
  # folder, CUDA builds included) to build against another one.
  "variables": {
    "libtorch%": "<!(echo ${LIBTORCH:-})"
  },
  "targets": [
    {
      "target_name": "twin",
      "sources": [
        "native/addon.cc",
        "native/tables.cc",
        "native/convert.cc",
        "native/ops.cc",
        "native/tensors.cc",
        "native/generators.cc",
        "native/autograd.cc",
        "native/runtime.cc",
        "native/jit.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_CPP_EXCEPTIONS", "NAPI_VERSION=8", "_GLIBCXX_USE_CXX11_ABI=1"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=gnu++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "conditions": [
        ["libtorch==''", {
          "include_dirs": ["/usr/include", "/usr/include/torch/csrc/api/include"],
          "libraries": ["-Wl,--no-as-needed", "-ltorch", "-ltorch_cpu", "-lc10"]
        }, {
          "include_dirs": ["<(libtorch)/include", "<(libtorch)/include/torch/csrc/api/include"],
          "libraries": [
            "-L<(libtorch)/lib", "-Wl,-rpath,<(libtorch)/lib", "-Wl,--no-as-needed",
            "-ltorch", "-ltorch_cpu", "-lc10",
            "<!(test -e ${LIBTORCH}/lib/libtorch_cuda.so && echo -ltorch_cuda || true)",
            "<!(test -e ${LIBTORCH}/lib/libc10_cuda.so && echo -lc10_cuda || true)"
          ]
        }]
      ]
    },
    {
      # The cold read's line scanner (native/scan.cc): plain N-API, no libtorch, so that
      # the dashboard's reader threads load it without the engine.
      "target_name": "twin_scan",
      "sources": ["native/scan.cc"],
      "defines": ["NAPI_VERSION=8"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++14", "-std=gnu++17"],
      "cflags_cc": ["-std=gnu++17", "-fexceptions", "-O2"]
    }
  ]
}
