// A simulation model of the ECP5 16 Kbit block RAM, in the configurations Yosys's synth_ecp5 maps
// memories to (share/lattice/brams_map_16kd.v, brams_16kd.txt): $__DP16KD_ (two read/write ports of
// 1, 2, 4, 9 or 18 bits) and $__PDPW16KD_ (port A a 36-bit write-only port, port B a read port of up
// to 36 bits). Yosys ships only a blackbox for this cell; any parameter value outside what those
// mappings produce is refused at elaboration, naming it, so a netlist that uses the cell differently
// cannot be "checked" by this model.
//
// The array is 1024 words of 18 bits; INITVAL_nn holds words 16*nn .. 16*nn+15, word i in bits
// [20*i +: 18] of its 320 (the top two bits of each 20 unused). A port of width W addresses it with
// ADx13..ADx(14-2^k): 18 bits: word AD[13:4], AD[1:0] byte enables of bits [8:0] and [17:9] on a
// write; 9 bits: word AD[13:4], half AD[3] (0 the low one); 4, 2, 1 bits: the 16 data bits of word
// AD[13:4] (bits 8 and 17, the ninth bits, skipped) in W-bit elements numbered from the low end by
// AD[3:2], AD[3:1], AD[3:0]; 36 bits: words 2*AD[13:5] (low, DIA/DOA) and 2*AD[13:5]+1 (high,
// DIB/DOB), AD[3:0] byte enables. Reads are synchronous (REGMODE NOREG): on the (CLKxMUX-selected)
// clock edge with CEx high, DOx takes the addressed data (on a write: unchanged with WRITEMODE NORMAL,
// the new data with WRITETHROUGH, the old with READBEFOREWRITE) and holds it otherwise. RSTx clears
// DOx: RESETMODE SYNC at a clock edge whatever CEx and blocking that edge's write on the port (Yosys's
// "rdsrst zero ungated block_wr"), ASYNC at once and while it is high ("rdarst zero"). OCEx only
// enables the output register, which NOREG does not use. DOx starts at zero.
module DP16KD(
  input DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0,
  input ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0,
  input CEA, OCEA, CLKA, WEA, RSTA,
  input CSA2, CSA1, CSA0,
  output DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0,

  input DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0,
  input ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0,
  input CEB, OCEB, CLKB, WEB, RSTB,
  input CSB2, CSB1, CSB0,
  output DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0
);
    parameter DATA_WIDTH_A = 18;
    parameter DATA_WIDTH_B = 18;
    parameter REGMODE_A = "NOREG";
    parameter REGMODE_B = "NOREG";
    parameter RESETMODE = "SYNC";
    parameter ASYNC_RESET_RELEASE = "SYNC";
    parameter CSDECODE_A = "0b000";
    parameter CSDECODE_B = "0b000";
    parameter WRITEMODE_A = "NORMAL";
    parameter WRITEMODE_B = "NORMAL";
    parameter CLKAMUX = "CLKA";
    parameter CLKBMUX = "CLKB";
    parameter CEAMUX = "CEA";
    parameter CEBMUX = "CEB";
    parameter OCEAMUX = "OCEA";
    parameter OCEBMUX = "OCEB";
    parameter WEAMUX = "WEA";
    parameter WEBMUX = "WEB";
    parameter RSTAMUX = "RSTA";
    parameter RSTBMUX = "RSTB";
    parameter CSA2MUX = "CSA2";
    parameter CSA1MUX = "CSA1";
    parameter CSA0MUX = "CSA0";
    parameter CSB2MUX = "CSB2";
    parameter CSB1MUX = "CSB1";
    parameter CSB0MUX = "CSB0";
    parameter WID = 0;
    parameter GSR = "ENABLED";
    parameter INIT_DATA = "STATIC";
    parameter INITVAL_00 = 320'h0;
    parameter INITVAL_01 = 320'h0;
    parameter INITVAL_02 = 320'h0;
    parameter INITVAL_03 = 320'h0;
    parameter INITVAL_04 = 320'h0;
    parameter INITVAL_05 = 320'h0;
    parameter INITVAL_06 = 320'h0;
    parameter INITVAL_07 = 320'h0;
    parameter INITVAL_08 = 320'h0;
    parameter INITVAL_09 = 320'h0;
    parameter INITVAL_0A = 320'h0;
    parameter INITVAL_0B = 320'h0;
    parameter INITVAL_0C = 320'h0;
    parameter INITVAL_0D = 320'h0;
    parameter INITVAL_0E = 320'h0;
    parameter INITVAL_0F = 320'h0;
    parameter INITVAL_10 = 320'h0;
    parameter INITVAL_11 = 320'h0;
    parameter INITVAL_12 = 320'h0;
    parameter INITVAL_13 = 320'h0;
    parameter INITVAL_14 = 320'h0;
    parameter INITVAL_15 = 320'h0;
    parameter INITVAL_16 = 320'h0;
    parameter INITVAL_17 = 320'h0;
    parameter INITVAL_18 = 320'h0;
    parameter INITVAL_19 = 320'h0;
    parameter INITVAL_1A = 320'h0;
    parameter INITVAL_1B = 320'h0;
    parameter INITVAL_1C = 320'h0;
    parameter INITVAL_1D = 320'h0;
    parameter INITVAL_1E = 320'h0;
    parameter INITVAL_1F = 320'h0;
    parameter INITVAL_20 = 320'h0;
    parameter INITVAL_21 = 320'h0;
    parameter INITVAL_22 = 320'h0;
    parameter INITVAL_23 = 320'h0;
    parameter INITVAL_24 = 320'h0;
    parameter INITVAL_25 = 320'h0;
    parameter INITVAL_26 = 320'h0;
    parameter INITVAL_27 = 320'h0;
    parameter INITVAL_28 = 320'h0;
    parameter INITVAL_29 = 320'h0;
    parameter INITVAL_2A = 320'h0;
    parameter INITVAL_2B = 320'h0;
    parameter INITVAL_2C = 320'h0;
    parameter INITVAL_2D = 320'h0;
    parameter INITVAL_2E = 320'h0;
    parameter INITVAL_2F = 320'h0;
    parameter INITVAL_30 = 320'h0;
    parameter INITVAL_31 = 320'h0;
    parameter INITVAL_32 = 320'h0;
    parameter INITVAL_33 = 320'h0;
    parameter INITVAL_34 = 320'h0;
    parameter INITVAL_35 = 320'h0;
    parameter INITVAL_36 = 320'h0;
    parameter INITVAL_37 = 320'h0;
    parameter INITVAL_38 = 320'h0;
    parameter INITVAL_39 = 320'h0;
    parameter INITVAL_3A = 320'h0;
    parameter INITVAL_3B = 320'h0;
    parameter INITVAL_3C = 320'h0;
    parameter INITVAL_3D = 320'h0;
    parameter INITVAL_3E = 320'h0;
    parameter INITVAL_3F = 320'h0;

    // What the model implements; anything else stops elaboration with the parameter named.
    generate
        if (DATA_WIDTH_A != 1 && DATA_WIDTH_A != 2 && DATA_WIDTH_A != 4 && DATA_WIDTH_A != 9 && DATA_WIDTH_A != 18
            && DATA_WIDTH_A != 36) begin : bad_width_a
            $fatal(1, "DP16KD model: DATA_WIDTH_A=%0d is not modelled (1, 2, 4, 9, 18, 36 are)", DATA_WIDTH_A);
        end
        if (DATA_WIDTH_B != 1 && DATA_WIDTH_B != 2 && DATA_WIDTH_B != 4 && DATA_WIDTH_B != 9 && DATA_WIDTH_B != 18
            && DATA_WIDTH_B != 36) begin : bad_width_b
            $fatal(1, "DP16KD model: DATA_WIDTH_B=%0d is not modelled (1, 2, 4, 9, 18, 36 are)", DATA_WIDTH_B);
        end
        if (DATA_WIDTH_B == 36 && DATA_WIDTH_A != 36) begin : bad_width_36
            $fatal(1, "DP16KD model: DATA_WIDTH_B=36 with DATA_WIDTH_A=%0d is not modelled (36 only as the pair of Yosys's $__PDPW16KD_: A writes, B reads)", DATA_WIDTH_A);
        end
        if (REGMODE_A != "NOREG") begin : bad_regmode_a
            $fatal(1, "DP16KD model: REGMODE_A=%s is not modelled (only NOREG, which synth_ecp5 uses)", REGMODE_A);
        end
        if (REGMODE_B != "NOREG") begin : bad_regmode_b
            $fatal(1, "DP16KD model: REGMODE_B=%s is not modelled (only NOREG, which synth_ecp5 uses)", REGMODE_B);
        end
        if (!((RESETMODE == "SYNC" && ASYNC_RESET_RELEASE == "SYNC") || (RESETMODE == "ASYNC" && ASYNC_RESET_RELEASE == "ASYNC"))) begin : bad_resetmode
            $fatal(1, "DP16KD model: RESETMODE=%s with ASYNC_RESET_RELEASE=%s is not modelled (SYNC/SYNC or ASYNC/ASYNC)", RESETMODE, ASYNC_RESET_RELEASE);
        end
        if (CSDECODE_A != "0b000") begin : bad_csdecode_a
            $fatal(1, "DP16KD model: CSDECODE_A=%s is not modelled (only 0b000)", CSDECODE_A);
        end
        if (CSDECODE_B != "0b000") begin : bad_csdecode_b
            $fatal(1, "DP16KD model: CSDECODE_B=%s is not modelled (only 0b000)", CSDECODE_B);
        end
        if (WRITEMODE_A != "NORMAL" && WRITEMODE_A != "WRITETHROUGH" && WRITEMODE_A != "READBEFOREWRITE") begin : bad_writemode_a
            $fatal(1, "DP16KD model: WRITEMODE_A=%s is not modelled", WRITEMODE_A);
        end
        if (WRITEMODE_B != "NORMAL" && WRITEMODE_B != "WRITETHROUGH" && WRITEMODE_B != "READBEFOREWRITE") begin : bad_writemode_b
            $fatal(1, "DP16KD model: WRITEMODE_B=%s is not modelled", WRITEMODE_B);
        end
        if (CLKAMUX != "CLKA" && CLKAMUX != "INV") begin : bad_clkamux
            $fatal(1, "DP16KD model: CLKAMUX=%s is not modelled (CLKA or INV)", CLKAMUX);
        end
        if (CLKBMUX != "CLKB" && CLKBMUX != "INV") begin : bad_clkbmux
            $fatal(1, "DP16KD model: CLKBMUX=%s is not modelled (CLKB or INV)", CLKBMUX);
        end
        if (CEAMUX != "CEA" || CEBMUX != "CEB" || OCEAMUX != "OCEA" || OCEBMUX != "OCEB" || WEAMUX != "WEA"
            || WEBMUX != "WEB" || RSTAMUX != "RSTA" || RSTBMUX != "RSTB") begin : bad_mux
            $fatal(1, "DP16KD model: a CE/OCE/WE/RST input mux other than the plain pin is not modelled (CEAMUX=%s CEBMUX=%s OCEAMUX=%s OCEBMUX=%s WEAMUX=%s WEBMUX=%s RSTAMUX=%s RSTBMUX=%s)",
                   CEAMUX, CEBMUX, OCEAMUX, OCEBMUX, WEAMUX, WEBMUX, RSTAMUX, RSTBMUX);
        end
        if (CSA2MUX != "CSA2" || CSA1MUX != "CSA1" || CSA0MUX != "CSA0" || CSB2MUX != "CSB2" || CSB1MUX != "CSB1"
            || CSB0MUX != "CSB0") begin : bad_csmux
            $fatal(1, "DP16KD model: a chip-select input mux other than the plain pin is not modelled");
        end
        if (INIT_DATA != "STATIC") begin : bad_init_data
            $fatal(1, "DP16KD model: INIT_DATA=%s is not modelled (only STATIC)", INIT_DATA);
        end
    endgenerate

    localparam [64*320-1:0] INITVAL = {
        INITVAL_3F, INITVAL_3E, INITVAL_3D, INITVAL_3C, INITVAL_3B, INITVAL_3A, INITVAL_39, INITVAL_38,
        INITVAL_37, INITVAL_36, INITVAL_35, INITVAL_34, INITVAL_33, INITVAL_32, INITVAL_31, INITVAL_30,
        INITVAL_2F, INITVAL_2E, INITVAL_2D, INITVAL_2C, INITVAL_2B, INITVAL_2A, INITVAL_29, INITVAL_28,
        INITVAL_27, INITVAL_26, INITVAL_25, INITVAL_24, INITVAL_23, INITVAL_22, INITVAL_21, INITVAL_20,
        INITVAL_1F, INITVAL_1E, INITVAL_1D, INITVAL_1C, INITVAL_1B, INITVAL_1A, INITVAL_19, INITVAL_18,
        INITVAL_17, INITVAL_16, INITVAL_15, INITVAL_14, INITVAL_13, INITVAL_12, INITVAL_11, INITVAL_10,
        INITVAL_0F, INITVAL_0E, INITVAL_0D, INITVAL_0C, INITVAL_0B, INITVAL_0A, INITVAL_09, INITVAL_08,
        INITVAL_07, INITVAL_06, INITVAL_05, INITVAL_04, INITVAL_03, INITVAL_02, INITVAL_01, INITVAL_00};

    reg [17:0] mem [0:1023];
    integer w;
    initial begin
        for (w = 0; w < 1024; w = w + 1)
            mem[w] = INITVAL[w * 20 +: 18];
    end

    wire [17:0] dia = {DIA17, DIA16, DIA15, DIA14, DIA13, DIA12, DIA11, DIA10, DIA9, DIA8, DIA7, DIA6, DIA5, DIA4, DIA3, DIA2, DIA1, DIA0};
    wire [17:0] dib = {DIB17, DIB16, DIB15, DIB14, DIB13, DIB12, DIB11, DIB10, DIB9, DIB8, DIB7, DIB6, DIB5, DIB4, DIB3, DIB2, DIB1, DIB0};
    wire [13:0] ada = {ADA13, ADA12, ADA11, ADA10, ADA9, ADA8, ADA7, ADA6, ADA5, ADA4, ADA3, ADA2, ADA1, ADA0};
    wire [13:0] adb = {ADB13, ADB12, ADB11, ADB10, ADB9, ADB8, ADB7, ADB6, ADB5, ADB4, ADB3, ADB2, ADB1, ADB0};
    wire clka = CLKA ^ (CLKAMUX == "INV");
    wire clkb = CLKB ^ (CLKBMUX == "INV");
    wire arsta = RESETMODE == "ASYNC" && RSTA;
    wire arstb = RESETMODE == "ASYNC" && RSTB;
    wire srsta = RESETMODE == "SYNC" && RSTA;
    wire srstb = RESETMODE == "SYNC" && RSTB;

    // The physical bit of an 18-bit word holding data bit `b` (0..15) of the 1/2/4-bit modes.
    function integer data_bit(input integer b);
        data_bit = b < 8 ? b : b + 1;
    endfunction

    // What a port of `width` (up to 18) reads from `word` at address `ad`, on its low bits.
    function [17:0] read_word(input integer width, input [17:0] word, input [13:0] ad);
        integer j;
        begin
            read_word = 18'b0;
            if (width == 18) read_word = word;
            else if (width == 9) read_word[8:0] = ad[3] ? word[17:9] : word[8:0];
            else
                for (j = 0; j < width; j = j + 1)
                    read_word[j] = word[data_bit(((ad[3:0] >> (width == 4 ? 2 : width == 2 ? 1 : 0)) * width + j))];
        end
    endfunction

    // `word` after a port of `width` (up to 18) writes `di` at address `ad`.
    function [17:0] write_word(input integer width, input [17:0] word, input [13:0] ad, input [17:0] di);
        integer j;
        begin
            write_word = word;
            if (width == 18) begin
                if (ad[0]) write_word[8:0] = di[8:0];
                if (ad[1]) write_word[17:9] = di[17:9];
            end else if (width == 9) begin
                if (ad[3]) write_word[17:9] = di[8:0];
                else write_word[8:0] = di[8:0];
            end else
                for (j = 0; j < width; j = j + 1)
                    write_word[data_bit(((ad[3:0] >> (width == 4 ? 2 : width == 2 ? 1 : 0)) * width + j))] = di[j];
        end
    endfunction

    function [17:0] merge_bytes(input [17:0] word, input [17:0] di, input [1:0] be);
        begin
            merge_bytes = word;
            if (be[0]) merge_bytes[8:0] = di[8:0];
            if (be[1]) merge_bytes[17:9] = di[17:9];
        end
    endfunction

    // Port A. At 36 bits it writes words 2*AD[13:5] (from DIA) and 2*AD[13:5]+1 (from DIB) and reads
    // nothing (DOA then carries the low half of port B's 36-bit read).
    wire [9:0] worda = DATA_WIDTH_A == 36 ? {ada[13:5], 1'b0} : ada[13:4];
    wire [17:0] olda = mem[worda];
    wire [17:0] newa = write_word(DATA_WIDTH_A, olda, ada, dia);
    wire writea = CEA && WEA && !srsta;
    reg [17:0] doa_r = 18'b0;
    always @(posedge clka) begin
        if (writea) begin
            if (DATA_WIDTH_A == 36) begin
                mem[{ada[13:5], 1'b0}] <= merge_bytes(mem[{ada[13:5], 1'b0}], dia, ada[1:0]);
                mem[{ada[13:5], 1'b1}] <= merge_bytes(mem[{ada[13:5], 1'b1}], dib, ada[3:2]);
            end else
                mem[worda] <= newa;
        end
    end
    always @(posedge clka or posedge arsta) begin
        if (arsta || srsta) doa_r <= 18'b0;
        else if (CEA && DATA_WIDTH_A != 36) begin
            if (!WEA) doa_r <= read_word(DATA_WIDTH_A, olda, ada);
            else if (WRITEMODE_A == "WRITETHROUGH") doa_r <= read_word(DATA_WIDTH_A, newa, ada);
            else if (WRITEMODE_A == "READBEFOREWRITE") doa_r <= read_word(DATA_WIDTH_A, olda, ada);
        end
    end

    // Port B. At 36 bits it reads words 2*AD[13:5] (onto DOA) and 2*AD[13:5]+1 (onto DOB) and never
    // writes (Yosys ties WEB low then).
    wire [9:0] wordb = DATA_WIDTH_B == 36 ? {adb[13:5], 1'b0} : adb[13:4];
    wire [17:0] oldb = mem[wordb];
    wire [17:0] oldb_hi = mem[{adb[13:5], 1'b1}];
    wire [17:0] newb = write_word(DATA_WIDTH_B, oldb, adb, dib);
    wire writeb = CEB && WEB && !srstb && DATA_WIDTH_B != 36;
    reg [17:0] dob_r = 18'b0;
    reg [17:0] dob_lo_r = 18'b0;
    always @(posedge clkb) begin
        if (writeb) mem[wordb] <= newb;
    end
    always @(posedge clkb or posedge arstb) begin
        if (arstb || srstb) begin
            dob_r <= 18'b0;
            dob_lo_r <= 18'b0;
        end else if (CEB) begin
            if (DATA_WIDTH_B == 36) begin
                dob_lo_r <= oldb;
                dob_r <= oldb_hi;
            end else if (!WEB) dob_r <= read_word(DATA_WIDTH_B, oldb, adb);
            else if (WRITEMODE_B == "WRITETHROUGH") dob_r <= read_word(DATA_WIDTH_B, newb, adb);
            else if (WRITEMODE_B == "READBEFOREWRITE") dob_r <= read_word(DATA_WIDTH_B, oldb, adb);
        end
    end

    wire [17:0] doa = DATA_WIDTH_B == 36 ? dob_lo_r : doa_r;
    assign {DOA17, DOA16, DOA15, DOA14, DOA13, DOA12, DOA11, DOA10, DOA9, DOA8, DOA7, DOA6, DOA5, DOA4, DOA3, DOA2, DOA1, DOA0} = doa;
    assign {DOB17, DOB16, DOB15, DOB14, DOB13, DOB12, DOB11, DOB10, DOB9, DOB8, DOB7, DOB6, DOB5, DOB4, DOB3, DOB2, DOB1, DOB0} = dob_r;
endmodule
