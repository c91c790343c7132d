package org.ssmlab.opencl;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_DEVICE_EXTENSIONS;
import static org.jocl.CL.CL_DEVICE_MAX_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_DEVICE_NAME;
import static org.jocl.CL.CL_DEVICE_NOT_FOUND;
import static org.jocl.CL.CL_DEVICE_SINGLE_FP_CONFIG;
import static org.jocl.CL.CL_DEVICE_TYPE;
import static org.jocl.CL.CL_DEVICE_TYPE_ALL;
import static org.jocl.CL.CL_DEVICE_TYPE_CPU;
import static org.jocl.CL.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT;
import static org.jocl.CL.CL_KERNEL_WORK_GROUP_SIZE;
import static org.jocl.CL.CL_PLATFORM_NAME;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateCommandQueueWithProperties;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clGetDeviceIDs;
import static org.jocl.CL.clGetDeviceInfo;
import static org.jocl.CL.clGetKernelWorkGroupInfo;
import static org.jocl.CL.clGetPlatformIDs;
import static org.jocl.CL.clGetPlatformInfo;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clSetKernelArg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jocl.CL;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_device_id;
import org.jocl.cl_kernel;
import org.jocl.cl_platform_id;
import org.jocl.cl_program;
import org.jocl.cl_queue_properties;

/**
 * One OpenCL device with its context, an in-order command queue, and the programs of this module
 * (the {@code *.cl} resources next to this class) compiled once and cached with their kernels.
 *
 * <p>Not thread-safe by itself: kernel arguments are state of the kernel object, so the kernel
 * classes hold {@link #lock()} from setting arguments to reading results back.
 *
 * <p>Build options: {@code -DSSM_FP64} when the device has {@code cl_khr_fp64} (transcendentals and
 * sums in double, as the scalar twins do), and {@code -cl-fp32-correctly-rounded-divide-sqrt} when
 * the device supports it (so float division agrees bit for bit with Java's).
 */
final class OpenClContext implements AutoCloseable {

    /** A device found on the machine: its platform, handle, names and its index in {@link #devices()}. */
    record DeviceRef(int index, cl_platform_id platform, cl_device_id device, String platformName, String name) {
        @Override
        public String toString() {
            return "#" + index + " " + name + " (" + platformName + ")";
        }
    }

    private final DeviceRef ref;
    private final cl_context context;
    private final cl_command_queue queue;
    private final boolean fp64;
    private final long maxWorkGroupSize;
    private final String buildOptions;
    private final int gemmGroup;
    private final int gemmBlock;
    private final Map<String, cl_program> programs = new LinkedHashMap<>();
    private final Map<String, cl_kernel> kernels = new LinkedHashMap<>();
    private final Object lock = new Object();
    private boolean closed;

    private OpenClContext(DeviceRef ref) {
        this.ref = ref;
        cl_context_properties props = new cl_context_properties();
        props.addProperty(CL_CONTEXT_PLATFORM, ref.platform());
        this.context = clCreateContext(props, 1, new cl_device_id[] {ref.device()}, null, null, null);
        try {
            this.queue = clCreateCommandQueueWithProperties(context, ref.device(), new cl_queue_properties(), null);
        } catch (RuntimeException e) {
            clReleaseContext(context);
            throw e;
        }
        String extensions = deviceString(ref.device(), CL_DEVICE_EXTENSIONS);
        this.fp64 = extensions.contains("cl_khr_fp64");
        this.maxWorkGroupSize = deviceLong(ref.device(), CL_DEVICE_MAX_WORK_GROUP_SIZE, Sizeof.size_t);
        long fpConfig = deviceLong(ref.device(), CL_DEVICE_SINGLE_FP_CONFIG, Sizeof.cl_long);
        StringBuilder opts = new StringBuilder();
        if (fp64) {
            opts.append("-DSSM_FP64 ");
        }
        if ((fpConfig & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0) {
            opts.append("-cl-fp32-correctly-rounded-divide-sqrt ");
        }
        // GEMM blocking (gemm.cl): a group of LX x LY items, each with an RM x RN block of C.
        // On a CPU few items with many accumulators each are fastest (measured with POCL: 4 x 4 items
        // of 8 x 8 beat 16 x 16 items of 4 x 4 by about 2x); a GPU wants many items per group.
        boolean cpu = (deviceLong(ref.device(), CL_DEVICE_TYPE, Sizeof.cl_long) & CL_DEVICE_TYPE_CPU) != 0;
        if (cpu) {
            this.gemmGroup = 4;
            this.gemmBlock = 8;
        } else {
            this.gemmGroup = maxWorkGroupSize >= 256 ? 16 : 8;
            this.gemmBlock = 4;
        }
        opts.append("-DLX=").append(gemmGroup).append(" -DLY=").append(gemmGroup)
                .append(" -DRM=").append(gemmBlock).append(" -DRN=").append(gemmBlock);
        this.buildOptions = opts.toString().trim();
    }

    /**
     * Every device of every platform, in platform order. Throws {@link CLException} or a
     * {@link LinkageError} when there is no OpenCL library; returns an empty list when the library
     * finds no platform.
     */
    static List<DeviceRef> devices() {
        CL.setExceptionsEnabled(true);
        int[] count = new int[1];
        try {
            clGetPlatformIDs(0, null, count);
        } catch (CLException e) {
            // The ICD loader says "platform not found" when no vendor is installed.
            return List.of();
        }
        cl_platform_id[] platforms = new cl_platform_id[count[0]];
        clGetPlatformIDs(platforms.length, platforms, null);
        List<DeviceRef> out = new ArrayList<>();
        for (cl_platform_id p : platforms) {
            String platformName = platformString(p, CL_PLATFORM_NAME);
            int[] n = new int[1];
            try {
                clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, 0, null, n);
            } catch (CLException e) {
                if (e.getStatus() == CL_DEVICE_NOT_FOUND) {
                    continue;
                }
                throw e;
            }
            cl_device_id[] ds = new cl_device_id[n[0]];
            clGetDeviceIDs(p, CL_DEVICE_TYPE_ALL, ds.length, ds, null);
            for (cl_device_id d : ds) {
                out.add(new DeviceRef(out.size(), p, d, platformName, deviceString(d, CL_DEVICE_NAME)));
            }
        }
        return out;
    }

    /** Opens a context and queue on {@code ref}; programs are compiled on first use. */
    static OpenClContext open(DeviceRef ref) {
        return new OpenClContext(ref);
    }

    /** The device this context runs on. */
    DeviceRef device() {
        return ref;
    }

    cl_context context() {
        return context;
    }

    cl_command_queue queue() {
        return queue;
    }

    /** Whether kernels accumulate in double ({@code cl_khr_fp64}). */
    boolean fp64() {
        return fp64;
    }

    /** Rows (and columns) of C each GEMM work-item accumulates in registers (RM = RN in gemm.cl). */
    int gemmBlock() {
        return gemmBlock;
    }

    /** The GEMM work-group is {@code gemmGroup() x gemmGroup()} items (LX = LY in gemm.cl). */
    int gemmGroup() {
        return gemmGroup;
    }

    /** The lock every kernel call holds while it sets arguments and runs. */
    Object lock() {
        return lock;
    }

    /** Kernel {@code name} of program {@code program} ({@code program.cl}), compiling it on first use. */
    cl_kernel kernel(String program, String name) {
        String key = program + "/" + name;
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("OpenCL: the context on " + ref + " is closed");
            }
            cl_kernel k = kernels.get(key);
            if (k == null) {
                k = clCreateKernel(program(program), name, null);
                kernels.put(key, k);
            }
            return k;
        }
    }

    private cl_program program(String name) {
        cl_program p = programs.get(name);
        if (p != null) {
            return p;
        }
        String source = resource(name + ".cl");
        p = clCreateProgramWithSource(context, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(p, 1, new cl_device_id[] {ref.device()}, buildOptions, null, null);
        } catch (CLException e) {
            String log = buildLog(p);
            CL.clReleaseProgram(p);
            throw new IllegalStateException("OpenCL: " + name + ".cl does not compile on " + ref
                    + " with options '" + buildOptions + "':\n" + log, e);
        }
        programs.put(name, p);
        return p;
    }

    private String buildLog(cl_program p) {
        try {
            long[] size = new long[1];
            clGetProgramBuildInfo(p, ref.device(), CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            clGetProgramBuildInfo(p, ref.device(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            return cString(buf);
        } catch (CLException e) {
            return "(no build log: " + e.getMessage() + ")";
        }
    }

    private static String resource(String file) {
        try (InputStream in = OpenClContext.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("OpenCL: kernel source " + file + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("OpenCL: cannot read kernel source " + file, e);
        }
    }

    /**
     * The largest power of two ≤ {@code cap} that the kernel accepts as its work-group size (for the
     * tree reductions, which need a power of two).
     */
    int reductionGroupSize(cl_kernel kernel, int cap) {
        long[] v = new long[1];
        clGetKernelWorkGroupInfo(kernel, ref.device(), CL_KERNEL_WORK_GROUP_SIZE, Sizeof.size_t, Pointer.to(v), null);
        long limit = Math.min(Math.min(v[0], maxWorkGroupSize), cap);
        int size = 1;
        while (size * 2L <= limit) {
            size *= 2;
        }
        return size;
    }

    /** Sets the kernel's arguments in order: Integer, Float, {@link ClBuffer}, or {@link Local} scratch. */
    static void setArgs(cl_kernel kernel, Object... args) {
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case Integer v -> clSetKernelArg(kernel, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
                case Float v -> clSetKernelArg(kernel, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
                case ClBuffer b -> clSetKernelArg(kernel, i, Sizeof.cl_mem, Pointer.to(b.mem()));
                case Local l -> clSetKernelArg(kernel, i, l.bytes(), null);
                default -> throw new IllegalArgumentException("OpenCL.setArgs: argument " + i + " has unsupported type "
                        + args[i].getClass().getName());
            }
        }
    }

    /** A {@code __local} scratch argument of {@code bytes} bytes. */
    record Local(long bytes) {
    }

    /** Enqueues {@code kernel} over {@code global} items in groups of {@code local} (null: the driver chooses). */
    void run(cl_kernel kernel, long[] global, long[] local) {
        clEnqueueNDRangeKernel(queue, kernel, global.length, null, global, local, 0, null, null);
    }

    /**
     * Work-group size of the one-item-per-element kernels. Fixed, because a driver compiles one
     * work-group function per distinct size, and a size chosen from n would compile many.
     */
    static final int ELEMENTWISE_GROUP = 64;

    /**
     * Enqueues a one-item-per-element kernel over at least {@code n} items (rounded up to whole groups
     * of {@link #ELEMENTWISE_GROUP}; the kernels skip items at or past n).
     */
    void run1D(cl_kernel kernel, long n) {
        long group = Math.min(ELEMENTWISE_GROUP, maxWorkGroupSize);
        long global = (n + group - 1) / group * group;
        run(kernel, new long[] {global}, new long[] {group});
    }

    /** Releases kernels, programs, the queue and the context; later calls fail with a clear message. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            kernels.values().forEach(CL::clReleaseKernel);
            programs.values().forEach(CL::clReleaseProgram);
            kernels.clear();
            programs.clear();
            clReleaseCommandQueue(queue);
            clReleaseContext(context);
        }
    }

    private static String platformString(cl_platform_id p, int param) {
        long[] size = new long[1];
        clGetPlatformInfo(p, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetPlatformInfo(p, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static String deviceString(cl_device_id d, int param) {
        long[] size = new long[1];
        clGetDeviceInfo(d, param, 0, null, size);
        byte[] buf = new byte[(int) size[0]];
        clGetDeviceInfo(d, param, buf.length, Pointer.to(buf), null);
        return cString(buf);
    }

    private static long deviceLong(cl_device_id d, int param, int bytes) {
        long[] v = new long[1];
        clGetDeviceInfo(d, param, bytes, Pointer.to(v), null);
        return v[0];
    }

    private static String cString(byte[] buf) {
        int end = 0;
        while (end < buf.length && buf[end] != 0) {
            end++;
        }
        return new String(buf, 0, end, StandardCharsets.US_ASCII).trim();
    }
}
