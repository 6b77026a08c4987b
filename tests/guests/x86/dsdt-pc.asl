DefinitionBlock ("", "DSDT", 1, "BAREMU", "BAREMUPC", 0x00000001)
{
    Name (\_S5, Package (0x04)
    {
        Zero,
        Zero,
        Zero,
        Zero
    })
    Name (PICF, Zero)
    Method (_PIC, 1, NotSerialized)
    {
        PICF = Arg0
    }

    Scope (\_SB)
    {
        Device (PCI0)
        {
            Name (_HID, EisaId ("PNP0A03") /* PCI Bus */)
            Name (_UID, Zero)
            Name (_CRS, ResourceTemplate ()
            {
                WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode,
                    0x0000,
                    0x0000,
                    0x00FF,
                    0x0000,
                    0x0100,
                    ,, )
                IO (Decode16,
                    0x0CF8,
                    0x0CF8,
                    0x01,
                    0x08,
                    )
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000,
                    0x0000,
                    0x0CF7,
                    0x0000,
                    0x0CF8,
                    ,, , TypeStatic, DenseTranslation)
                WordIO (ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange,
                    0x0000,
                    0x0D00,
                    0xFFFF,
                    0x0000,
                    0xF300,
                    ,, , TypeStatic, DenseTranslation)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, Cacheable, ReadWrite,
                    0x00000000,
                    0x000A0000,
                    0x000BFFFF,
                    0x00000000,
                    0x00020000,
                    ,, , AddressRangeMemory, TypeStatic)
                DWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite,
                    0x00000000,
                    0x08000000,
                    0xFEBFFFFF,
                    0x00000000,
                    0xF6C00000,
                    ,, , AddressRangeMemory, TypeStatic)
            })
            Name (_PRT, Package (0x80)
            {
                Package (0x04)
                {
                    0xFFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0xFFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0xFFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0xFFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0001FFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0001FFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0001FFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0001FFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0002FFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0002FFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0002FFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0002FFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0003FFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0003FFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0003FFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0003FFFF,
                    0x03,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0004FFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0004FFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0004FFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0004FFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0005FFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0005FFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0005FFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0005FFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0006FFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0006FFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0006FFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0006FFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0007FFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0007FFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0007FFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0007FFFF,
                    0x03,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0008FFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0008FFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0008FFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0008FFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0009FFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0009FFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0009FFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0009FFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x000AFFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x000AFFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x000AFFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x000AFFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x000BFFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x000BFFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x000BFFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x000BFFFF,
                    0x03,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x000CFFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x000CFFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x000CFFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x000CFFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x000DFFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x000DFFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x000DFFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x000DFFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x000EFFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x000EFFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x000EFFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x000EFFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x000FFFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x000FFFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x000FFFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x000FFFFF,
                    0x03,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0010FFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0010FFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0010FFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0010FFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0011FFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0011FFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0011FFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0011FFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0012FFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0012FFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0012FFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0012FFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0013FFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0013FFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0013FFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0013FFFF,
                    0x03,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0014FFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0014FFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0014FFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0014FFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0015FFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0015FFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0015FFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0015FFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0016FFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0016FFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0016FFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0016FFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0017FFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0017FFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0017FFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0017FFFF,
                    0x03,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0018FFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x0018FFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0018FFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0018FFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0019FFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x0019FFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x0019FFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x0019FFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x001AFFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x001AFFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x001AFFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x001AFFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x001BFFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x001BFFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x001BFFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x001BFFFF,
                    0x03,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x001CFFFF,
                    Zero,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x001CFFFF,
                    One,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x001CFFFF,
                    0x02,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x001CFFFF,
                    0x03,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x001DFFFF,
                    Zero,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x001DFFFF,
                    One,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x001DFFFF,
                    0x02,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x001DFFFF,
                    0x03,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x001EFFFF,
                    Zero,
                    LNKB,
                    Zero
                },

                Package (0x04)
                {
                    0x001EFFFF,
                    One,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x001EFFFF,
                    0x02,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x001EFFFF,
                    0x03,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x001FFFFF,
                    Zero,
                    LNKC,
                    Zero
                },

                Package (0x04)
                {
                    0x001FFFFF,
                    One,
                    LNKD,
                    Zero
                },

                Package (0x04)
                {
                    0x001FFFFF,
                    0x02,
                    LNKA,
                    Zero
                },

                Package (0x04)
                {
                    0x001FFFFF,
                    0x03,
                    LNKB,
                    Zero
                }
            })
            Device (ISA)
            {
                Name (_ADR, 0x00010000)
                OperationRegion (P40C, PCI_Config, 0x60, 0x04)
            }
        }

        Field (PCI0.ISA.P40C, ByteAcc, NoLock, Preserve)
        {
            PRQ0,   8,
            PRQ1,   8,
            PRQ2,   8,
            PRQ3,   8
        }

        Method (IQST, 1, NotSerialized)
        {
            If ((0x80 & Arg0))
            {
                Return (0x09)
            }

            Return (0x0B)
        }

        Method (IQCR, 1, Serialized)
        {
            Name (PRR0, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, _Y00)
                {
                    0x00000000,
                }
            })
            CreateDWordField (PRR0, \_SB.IQCR._Y00._INT, PRRI)
            If ((Arg0 < 0x80))
            {
                PRRI = Arg0
            }

            Return (PRR0) /* \_SB_.IQCR.PRR0 */
        }

        Device (LNKA)
        {
            Name (_HID, EisaId ("PNP0C0F") /* PCI Interrupt Link Device */)
            Name (_UID, Zero)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, )
                {
                    0x00000005,
                    0x0000000A,
                    0x0000000B,
                }
            })
            Method (_STA, 0, NotSerialized)
            {
                Return (IQST (PRQ0))
            }

            Method (_DIS, 0, NotSerialized)
            {
                PRQ0 |= 0x80
            }

            Method (_CRS, 0, NotSerialized)
            {
                Return (IQCR (PRQ0))
            }

            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                PRQ0 = PRRI /* \_SB_.LNKA._SRS.PRRI */
            }
        }

        Device (LNKB)
        {
            Name (_HID, EisaId ("PNP0C0F") /* PCI Interrupt Link Device */)
            Name (_UID, One)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, )
                {
                    0x00000005,
                    0x0000000A,
                    0x0000000B,
                }
            })
            Method (_STA, 0, NotSerialized)
            {
                Return (IQST (PRQ1))
            }

            Method (_DIS, 0, NotSerialized)
            {
                PRQ1 |= 0x80
            }

            Method (_CRS, 0, NotSerialized)
            {
                Return (IQCR (PRQ1))
            }

            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                PRQ1 = PRRI /* \_SB_.LNKB._SRS.PRRI */
            }
        }

        Device (LNKC)
        {
            Name (_HID, EisaId ("PNP0C0F") /* PCI Interrupt Link Device */)
            Name (_UID, 0x02)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, )
                {
                    0x00000005,
                    0x0000000A,
                    0x0000000B,
                }
            })
            Method (_STA, 0, NotSerialized)
            {
                Return (IQST (PRQ2))
            }

            Method (_DIS, 0, NotSerialized)
            {
                PRQ2 |= 0x80
            }

            Method (_CRS, 0, NotSerialized)
            {
                Return (IQCR (PRQ2))
            }

            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                PRQ2 = PRRI /* \_SB_.LNKC._SRS.PRRI */
            }
        }

        Device (LNKD)
        {
            Name (_HID, EisaId ("PNP0C0F") /* PCI Interrupt Link Device */)
            Name (_UID, 0x03)
            Name (_PRS, ResourceTemplate ()
            {
                Interrupt (ResourceConsumer, Level, ActiveHigh, Shared, ,, )
                {
                    0x00000005,
                    0x0000000A,
                    0x0000000B,
                }
            })
            Method (_STA, 0, NotSerialized)
            {
                Return (IQST (PRQ3))
            }

            Method (_DIS, 0, NotSerialized)
            {
                PRQ3 |= 0x80
            }

            Method (_CRS, 0, NotSerialized)
            {
                Return (IQCR (PRQ3))
            }

            Method (_SRS, 1, NotSerialized)
            {
                CreateDWordField (Arg0, 0x05, PRRI)
                PRQ3 = PRRI /* \_SB_.LNKD._SRS.PRRI */
            }
        }
    }
}

