package org.ssmlab.opencl;

import static org.jocl.CL.CL_MEM_COPY_HOST_PTR;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clReleaseMemObject;

import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

/**
 * One device buffer ({@code cl_mem}) owned by a try-with-resources block: {@link #close()} releases it
 * exactly once, so no call of the backend leaks device memory even when a kernel throws.
 *
 * <p>A process-wide counter of live buffers ({@link #live()}) lets a test check that every buffer
 * created was released. A buffer of zero elements is allocated with one element, because OpenCL
 * rejects empty buffers.
 */
final class ClBuffer implements AutoCloseable {

    private static final AtomicInteger LIVE = new AtomicInteger();

    private final cl_mem mem;
    private boolean closed;

    private ClBuffer(cl_mem mem) {
        this.mem = mem;
        LIVE.incrementAndGet();
    }

    /** A buffer holding a copy of {@code src[off .. off+len)}. */
    static ClBuffer upload(OpenClContext ctx, float[] src, int off, int len) {
        if (len == 0) {
            return allocate(ctx, 0, Sizeof.cl_float);
        }
        Pointer host = Pointer.to(src).withByteOffset((long) off * Sizeof.cl_float);
        cl_mem mem = clCreateBuffer(ctx.context(), CL_MEM_READ_WRITE | CL_MEM_COPY_HOST_PTR,
                (long) len * Sizeof.cl_float, host, null);
        return new ClBuffer(mem);
    }

    /** An uninitialised buffer of {@code len} elements of {@code elementBytes} bytes each. */
    static ClBuffer allocate(OpenClContext ctx, int len, long elementBytes) {
        cl_mem mem = clCreateBuffer(ctx.context(), CL_MEM_READ_WRITE, Math.max(1, len) * elementBytes, null, null);
        return new ClBuffer(mem);
    }

    /** Copies the buffer's first {@code len} floats into {@code dst[off ..]}, waiting for queued kernels. */
    void readInto(OpenClContext ctx, float[] dst, int off, int len) {
        readRange(ctx, 0, dst, off, len);
    }

    /** Copies floats {@code [from, from+len)} of the buffer into {@code dst[off ..]}. */
    void readRange(OpenClContext ctx, int from, float[] dst, int off, int len) {
        if (len == 0) {
            return;
        }
        clEnqueueReadBuffer(ctx.queue(), mem, CL_TRUE, (long) from * Sizeof.cl_float, (long) len * Sizeof.cl_float,
                Pointer.to(dst).withByteOffset((long) off * Sizeof.cl_float), 0, null, null);
    }

    /** Copies the buffer's first {@code len} doubles into {@code dst}. */
    void readInto(OpenClContext ctx, double[] dst, int len) {
        if (len == 0) {
            return;
        }
        clEnqueueReadBuffer(ctx.queue(), mem, CL_TRUE, 0, (long) len * Sizeof.cl_double, Pointer.to(dst), 0, null, null);
    }

    /** The OpenCL handle, for kernel arguments. */
    cl_mem mem() {
        return mem;
    }

    /** Releases the device memory; a second call does nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            clReleaseMemObject(mem);
            LIVE.decrementAndGet();
        }
    }

    /** How many buffers have been created and not yet closed, in this process. */
    static int live() {
        return LIVE.get();
    }
}
